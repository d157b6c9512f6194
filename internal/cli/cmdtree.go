package cli

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// topLevel returns every command under the root, in the order rootCmd adds them
// (completion, which needs the whole tree, comes last and is not here). The
// names are the commands' Use; TestTopLevelNames holds them to it.
// (A function, not a table: demo's run calls Run, which reads this.)
func topLevel() []topCmd {
	return []topCmd{
		{"sso", newSSOCmd},
		{"sts", newSTSCmd},
		{"configure", newConfigureCmd},
		{"serve", func(a *app) *cobra.Command { return newServeCmd(a, nil) }},
		{"demo", func(a *app) *cobra.Command { return newDemoCmd(a, nil) }},
		{"exec", func(a *app) *cobra.Command { return newExecCmd(a, nil) }},
		{"console", func(a *app) *cobra.Command { return newConsoleCmd(a, nil) }},
		{"credential-server", func(a *app) *cobra.Command { return newCredentialServerCmd(a, nil) }},
	}
}

// topCmd is a command under the root and its constructor.
type topCmd struct {
	name string
	new  func(a *app) *cobra.Command
}

// rootFor returns the root with only the top-level command that args name
// and its subtree, or the whole tree when args name none. Building every
// command's flags, help text and options costs more than the cached
// credential path itself (issue 14, fourth pass), and a command's run, help,
// usage errors and suggestions only read its own subtree and the root's
// persistent flags. Everything that lists the root's commands (the root's
// help, `help`, an unknown or missing command, completion, --version) gets
// the whole tree, as does any line that cobra would not resolve to the
// command picked here.
func (a *app) rootFor(args []string) *cobra.Command {
	root := a.newRoot()
	name := firstCommand(args, root.Flags(), root.PersistentFlags())
	for _, t := range topLevel() {
		if t.name != name {
			continue
		}
		root.AddCommand(t.new(a))
		if c, _, err := root.Find(args); err == nil && c != root {
			return root
		}
		break
	}
	return a.rootCmd()
}

// firstCommand is the first word of args that cobra's Command.Find looks up
// among the root's commands: cobra's stripFlags (command.go), which skips
// "--flag value" unless the flag takes no value, and stops at "--".
func firstCommand(args []string, sets ...*pflag.FlagSet) string {
	noValue := func(name string, short bool) bool {
		for _, fs := range sets {
			var f *pflag.Flag
			if short {
				f = fs.ShorthandLookup(name[:1])
			} else {
				f = fs.Lookup(name)
			}
			if f != nil {
				return f.NoOptDefVal != ""
			}
		}
		return false
	}
	for len(args) > 0 {
		s := args[0]
		args = args[1:]
		switch {
		case s == "--":
			return ""
		case strings.HasPrefix(s, "--") && !strings.Contains(s, "=") && !noValue(s[2:], false),
			strings.HasPrefix(s, "-") && !strings.Contains(s, "=") && len(s) == 2 && !noValue(s[1:], true):
			if len(args) <= 1 {
				return ""
			}
			args = args[1:]
		case s != "" && !strings.HasPrefix(s, "-"):
			return s
		}
	}
	return ""
}
