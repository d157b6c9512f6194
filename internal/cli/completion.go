package cli

import (
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

// completionCmd prints shell completion scripts (cobra's generators) and
// registers the completion of --profile and --sso-session values from the
// config file on every command of root that has those flags. Add it last,
// so that every other command exists.
func (a *app) completionCmd(root *cobra.Command) *cobra.Command {
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
			out := a.env.Stdout
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			default:
				return root.GenPowerShellCompletionWithDesc(out)
			}
		},
	}
	a.registerConfigCompletions(root)
	return c
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
