package cli

import (
	"slices"
	"strings"
	"testing"
)

// TestTopLevelNames holds topLevel's names to the commands' own: a name that
// drifts from its command's would only make rootFor build the whole tree.
func TestTopLevelNames(t *testing.T) {
	var want, got []string
	for _, c := range (&app{env: &Env{}}).rootCmd().Commands() {
		if c.Name() != "completion" {
			want = append(want, c.Name())
		}
		if len(c.Aliases) > 0 {
			t.Errorf("%s has aliases %q: rootFor matches names only", c.Name(), c.Aliases)
		}
	}
	for _, tc := range topLevel() {
		got = append(got, tc.name)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("topLevel names %q, commands %q", got, want)
	}
}

// TestRootFor checks that the command line resolves to the same command in
// the tree rootFor builds as in the whole tree, that firstCommand picks the
// top-level command cobra's Find does, and that only lines naming a
// top-level command get the small tree.
func TestRootFor(t *testing.T) {
	for _, line := range []string{
		"configure export-credentials --profile p",
		"--profile p configure export-credentials",
		"--profile configure sso login",
		"--profile=p configure list",
		"--debug configure list-profiles",
		"--no-paginate --output json sso list-accounts",
		"--output=json sts get-caller-identity",
		"-h configure",
		"--help configure",
		"--unknown configure sso",
		"--unknown=x configure sso",
		"-x sso",
		"-- configure",
		"configure --profile",
		"--profile",
		"configure bogus",
		"configure sso --help",
		"exec -- configure",
		"help",
		"help configure",
		"completion bash",
		"__complete configure ''",
		"bogus",
		"",
		"--version",
		"serve --help",
		"demo",
		"console --url-only",
		"credential-server --addr 127.0.0.1:0",
	} {
		args := strings.Fields(line)
		full := (&app{env: &Env{}}).rootCmd()
		wantCmd, _, _ := full.Find(args)
		want := ""
		for c := wantCmd; c != nil && c.HasParent(); c = c.Parent() {
			want = c.Name()
		}
		if got := firstCommand(args, full.Flags(), full.PersistentFlags()); got != want && want != "" {
			t.Errorf("%q: firstCommand %q, cobra finds %q", line, got, want)
		}
		small := (&app{env: &Env{}}).rootFor(args)
		gotCmd, _, _ := small.Find(args)
		if gotCmd.CommandPath() != wantCmd.CommandPath() {
			t.Errorf("%q: rootFor's tree finds %q, the whole tree %q", line, gotCmd.CommandPath(), wantCmd.CommandPath())
		}
		n, whole := len(small.Commands()), want == "" || want == "completion"
		if !whole && n != 1 || whole && n != len(full.Commands()) {
			t.Errorf("%q: rootFor built %d top-level commands (cobra finds %q)", line, n, want)
		}
	}
}
