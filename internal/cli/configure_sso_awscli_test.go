//go:build unix

package cli

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/testutil/require"
	"github.com/ssocli/ssocli/internal/testutil/vanitygolden"
)

// TestConfigureWizardLikeAWSCLI drives ssocli's configure wizards through a
// pseudo-terminal with the keys that scripts/vanity-goldens.sh typed into the
// AWS CLI 2.36.7's (wizard.json), against a local Identity Center whose
// account and role names differ in case: what the terminal shows at the end
// (a virtual terminal: prompts, answers, messages; the menus, drawn
// differently, are gone by then) and the config written must be the AWS
// CLI's.
func TestConfigureWizardLikeAWSCLI(t *testing.T) {
	t.Parallel()
	cases, err := vanitygolden.LoadWizardCases(vanityDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			want, err := vanitygolden.LoadWizardGolden(vanityDir, c.Name)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := vanitygolden.StartWizard(c, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			home := t.TempDir()
			if err := vanitygolden.WriteWizardHome(home, c); err != nil {
				t.Fatal(err)
			}
			term, err := vanitygolden.OpenTerminal()
			if err != nil {
				require.Missingf(t, "no pseudo-terminal here: %v", err)
			}
			defer term.Close()
			vars := map[string]string{"HOME": home, "HTTPS_PROXY": srv.URL, "AWS_CA_BUNDLE": srv.CAFile, "TERM": "xterm"}
			env := &Env{
				Stdin: term.TTY, Stdout: term.TTY, Stderr: term.TTY,
				StdinTTY: true, StdoutTTY: true, StderrTTY: true,
				Getenv: func(k string) string { return vars[k] },
				Home:   home,
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := make(chan int, 1)
			go func() { done <- Run(ctx, env, c.Args) }()
			if err := term.Drive(c.Steps, 20*time.Second); err != nil {
				cancel()
				<-done
				t.Fatal(err)
			}
			code := <-done
			term.WaitQuiet(time.Now().Add(5 * time.Second))
			config, err := vanitygolden.ReadConfig(home)
			if err != nil {
				t.Fatal(err)
			}
			got := &vanitygolden.WizardGolden{Code: code, Screen: term.Screen(), Config: config}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("configure wizard [exit code, screen, config] (-aws +ssocli):\n%s", diff)
			}
		})
	}
}
