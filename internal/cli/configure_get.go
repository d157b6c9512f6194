package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// configureGetOptions are what `configure get` runs from.
type configureGetOptions struct {
	deps
	Varname string
	Sub     subsection
}

// subsection is the --sso-session or --services flag of configure get and
// set (AWS CLI 2.36: SUBSECTION_TYPE_ALLOWLIST): the [sso-session NAME] or
// [services NAME] section to read or write instead of a profile.
type subsection struct {
	Kind string // "sso-session" or "services"; "" when neither flag was given
	Name string
}

// subsectionFlags adds --sso-session and --services to c, and returns a
// function that reads them once the flags are parsed. Both at once is the
// AWS CLI's validate_mutually_exclusive error (252).
func subsectionFlags(c *cobra.Command, help string) func() (subsection, error) {
	var ssoSession, services string
	c.Flags().StringVar(&ssoSession, "sso-session", "", help+" (an [sso-session NAME] section)")
	c.Flags().StringVar(&services, "services", "", help+" (a [services NAME] section)")
	return func() (subsection, error) {
		sso, svc := c.Flags().Changed("sso-session"), c.Flags().Changed("services")
		switch {
		case sso && svc:
			return subsection{}, usageError(`The key "services" cannot be specified when one of the following keys are also specified: sso_session`)
		case sso:
			return subsection{Kind: "sso-session", Name: ssoSession}, nil
		case svc:
			return subsection{Kind: "services", Name: services}, nil
		}
		return subsection{}, nil
	}
}

// positionalArgs is the AWS CLI's check of a command's positional arguments:
// the missing ones are named, extra ones are unknown options (exit 252).
func positionalArgs(names ...string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < len(names) {
			return &parseError{msg: "the following arguments are required: " + strings.Join(names[len(args):], ", ")}
		}
		if len(args) > len(names) {
			return &parseError{msg: "Unknown options: " + strings.Join(args[len(names):], ", "), bare: true}
		}
		return nil
	}
}

func newConfigureGetCmd(a *app, runF func(context.Context, *configureGetOptions) error) *cobra.Command {
	o := &configureGetOptions{}
	c := &cobra.Command{
		Use:   "get VARNAME",
		Short: "Print one value of ~/.aws/config or ~/.aws/credentials, as `aws configure get` does",
		Long: `Print the value of VARNAME from the config and credentials files, exactly as
"aws configure get" does: nothing and exit status 1 when it is not set, so that
  region=$(ssocli configure get region) || region=us-east-1
works. Only the files are read: environment variables such as AWS_REGION are not.

  region                          the selected profile's key (--profile, AWS_PROFILE, else [default])
  default.region                  a key of [default]
  profile.dev.region, dev.region  a key of [profile dev] (the short form for a profile that exists)
  s3.max_concurrent_requests      a key nested under "s3 =" in the selected profile
  plugins.NAME                    a key of the [plugins] section
  sso_region --sso-session corp   a key of [sso-session corp]
  s3.endpoint_url --services dev  a nested key of [services dev]

A sub-section itself ("s3") is not a value: exit status 1 with a message.`,
		Args: positionalArgs("varname"),
	}
	sub := subsectionFlags(c, "read VARNAME from this sub-section")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		o.deps = a.deps()
		o.Varname = args[0]
		var err error
		if o.Sub, err = sub(); err != nil {
			return err
		}
		if runF != nil {
			return runF(cmd.Context(), o)
		}
		return runConfigureGet(cmd.Context(), o)
	}
	return c
}

// runConfigureGet is the AWS CLI's ConfigureGetCommand._run_main (get.py), unchanged
// from 2.9.19 to 2.36 but for the sub-section flags.
func runConfigureGet(_ context.Context, o *configureGetOptions) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	var value any
	switch {
	case o.Sub.Kind != "":
		value, err = subsectionValue(cfg, o.Sub, o.Varname)
	case !strings.Contains(o.Varname, "."):
		// get_scoped_config: the selected profile, which must exist when named.
		if err = o.checkProfile(); err == nil {
			name, _ := o.profileName()
			p, _ := cfg.Profile(name)
			value = sectionValue(p, o.Varname)
		}
	default:
		value, err = o.dottedValue(cfg, o.Varname)
	}
	if err != nil {
		return err
	}
	// The value is not logged: it may be a secret key. It goes to stdout as
	// it is in the file, as the AWS CLI prints it: scripts read it.
	switch v := value.(type) {
	case string:
		_, err := fmt.Fprintf(o.Env.Stdout, "%s\n", v)
		return err
	case map[string]string:
		// The AWS CLI's words, without a final newline.
		fmt.Fprintf(o.Env.Stderr, "varname (%s) must reference a value, not a section or sub-section.", termtext.Line(o.Varname))
	}
	return &exitError{code: 1}
}

// sectionValue is Python's dict.get on a section of full_config: a string, a
// nested sub-section (map[string]string), or nil.
func sectionValue(s awsconfig.Section, key string) any {
	if v, ok := s.Values[key]; ok {
		return v
	}
	if m, ok := s.Sub[key]; ok {
		return m
	}
	return nil
}

// subValue is value.get(key) on a nested sub-section; nil for anything else
// (the AWS CLI's AttributeError on a string, caught).
func subValue(value any, key string) any {
	if m, ok := value.(map[string]string); ok {
		if v, ok := m[key]; ok {
			return v
		}
	}
	return nil
}

// dottedValue is get.py's _get_dotted_config_value.
func (d *deps) dottedValue(cfg *awsconfig.Config, varname string) (any, error) {
	parts := strings.Split(varname, ".")
	// The AWS CLI tests `parts[0] in PREDEFINED_SECTION_NAMES`, a string, so
	// any substring of "plugins" ("p", "lug") reads the top-level section of
	// that name first, then the profile. Kept, as configure get is byte for
	// byte the AWS CLI's: it also reads back the bare [p] section the AWS CLI's
	// own configure set writes for a profile p (ssocli writes [profile p]).
	if len(parts) == 2 && strings.Contains("plugins", parts[0]) {
		var value any
		// The AWS CLI pops cli_legacy_plugin_path from [plugins] while it
		// loads its plugins, so it never finds it there.
		if parts[0] != "plugins" || parts[1] != "cli_legacy_plugin_path" {
			s, ok, err := awsconfig.TopLevelSection(cfg.ConfigPath, parts[0])
			if err != nil {
				return nil, err
			}
			if ok {
				value = sectionValue(s, parts[1])
			}
		}
		if value == nil {
			p, _ := cfg.Profile(parts[0])
			value = sectionValue(p, parts[1])
		}
		return value, nil
	}
	var profile, key string
	var remaining []string
	_, known := cfg.Profile(parts[0])
	switch {
	case parts[0] == "profile":
		if len(parts) < 3 {
			// Python's IndexError, as the AWS CLI reports it.
			return nil, usererr.New(usererr.CodeOther, "list index out of range").
				WithHint("name a profile's key as profile.NAME.KEY, e.g. profile." + parts[1] + ".region")
		}
		profile, key, remaining = parts[1], parts[2], parts[3:]
	case parts[0] == "default" || known:
		profile, key, remaining = parts[0], parts[1], parts[2:]
	default:
		profile, _ = d.profileName()
		key, remaining = parts[0], parts[1:]
	}
	p, _ := cfg.Profile(profile)
	value := sectionValue(p, key)
	if len(remaining) == 1 {
		value = subValue(value, remaining[0])
	}
	return value, nil
}

// subsectionValue is get.py's _get_subsection_property (AWS CLI 2.36).
func subsectionValue(cfg *awsconfig.Config, sub subsection, varname string) (any, error) {
	var s awsconfig.Section
	var ok bool
	if sub.Kind == "sso-session" {
		s, ok = cfg.SSOSession(sub.Name)
	} else {
		s, ok = cfg.Services(sub.Name)
	}
	if !ok {
		return nil, usererr.New(usererr.CodeOther, fmt.Sprintf("The config sub-section (%s) could not be found", sub.Name)).
			WithHint(fmt.Sprintf("%s has no [%s] section: check the name, or create it with: ssocli configure set KEY VALUE --%s %s", cfg.ConfigPath, awsconfig.SectionHeader(sub.Kind, sub.Name), sub.Kind, sub.Name))
	}
	if !strings.Contains(varname, ".") {
		return sectionValue(s, varname), nil
	}
	parts := strings.Split(varname, ".")
	if len(parts) != 2 {
		return nil, nil
	}
	return subValue(sectionValue(s, parts[0]), parts[1]), nil
}
