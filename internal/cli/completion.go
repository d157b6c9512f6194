package cli

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

// completionOptions are what `completion` runs from.
type completionOptions struct {
	deps
	Shell string
	Root  *cobra.Command // the tree whose completion script is printed
}

// newCompletionCmd prints shell completion scripts (cobra's generators). The
// completion of --profile and --sso-session values from the config file is
// registered by Run (registerConfigCompletions) when the shell asks for
// completions, not here: the walk would cost every command.
func newCompletionCmd(a *app, root *cobra.Command, runF func(context.Context, *completionOptions) error) *cobra.Command {
	o := &completionOptions{Root: root}
	c := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print the completion script for a shell. Profiles and sso-sessions of
~/.aws/config complete after --profile and --sso-session.

  bash:        source <(ssocli completion bash)
               (or save it in /etc/bash_completion.d/ssocli; needs bash-completion)
  zsh:         ssocli completion zsh > "${fpath[1]}/_ssocli"
  fish:        ssocli completion fish > ~/.config/fish/completions/ssocli.fish
  PowerShell:  ssocli completion powershell | Out-String | Invoke-Expression`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return &parseError{msg: "the following arguments are required: shell"}
			case !slices.Contains(cmd.ValidArgs, args[0]):
				return invalidChoice("shell", cmd.ValidArgs, args[0], nil)
			}
			return noArgs(cmd, args[1:])
		},
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.deps = a.deps()
			o.Shell = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runCompletion(cmd.Context(), o)
		},
	}
	return c
}

func runCompletion(_ context.Context, o *completionOptions) error {
	out := o.Env.Stdout
	switch o.Shell {
	case "bash":
		return o.Root.GenBashCompletionV2(out, true)
	case "zsh":
		return o.Root.GenZshCompletion(out)
	case "fish":
		return o.Root.GenFishCompletion(out, true)
	default:
		return o.Root.GenPowerShellCompletionWithDesc(out)
	}
}

// registerConfigCompletions makes --profile and --sso-session complete from
// the config file, wherever they are defined under root.
func (a *app) registerConfigCompletions(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for name, fn := range map[string]cobra.CompletionFunc{"profile": a.completeProfiles, "sso-session": a.completeSessions} {
			if f := c.LocalFlags().Lookup(name); f != nil || c.PersistentFlags().Lookup(name) != nil {
				if _, ok := c.GetFlagCompletionFunc(name); !ok {
					_ = c.RegisterFlagCompletionFunc(name, fn)
				}
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func (a *app) completeProfiles(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	cfg, err := a.config()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return matching(cfg.ProfileNames(), toComplete), cobra.ShellCompDirectiveNoFileComp
}

func (a *app) completeSessions(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	cfg, err := a.config()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return matching(cfg.SSOSessionNames(), toComplete), cobra.ShellCompDirectiveNoFileComp
}

func matching(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
