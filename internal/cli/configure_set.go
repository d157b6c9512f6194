package cli

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// configureSetOptions are what `configure set` runs from.
type configureSetOptions struct {
	deps
	Varname, Value string
	Sub            subsection
}

func newConfigureSetCmd(a *app, runF func(context.Context, *configureSetOptions) error) *cobra.Command {
	o := &configureSetOptions{}
	c := &cobra.Command{
		Use:   "set VARNAME VALUE",
		Short: "Set one value in ~/.aws/config or ~/.aws/credentials, as `aws configure set` does",
		Long: `Set VARNAME to VALUE, exactly as "aws configure set" does; VARNAME takes the
forms of "configure get" (region, default.region, profile.dev.region,
s3.max_concurrent_requests, plugins.NAME, KEY --sso-session NAME, KEY --services NAME).
aws_access_key_id, aws_secret_access_key, aws_session_token and aws_security_token
go to the credentials file ([NAME], not [profile NAME]); everything else to the
config file. A missing section or file is created.

The file is edited in place: comments, blank lines, key order and sections that are
not touched keep every byte, the edit is made under the same lock as every other
ssocli edit, on a fresh read, and the file is replaced atomically. A name or value
holding a line break or another control character is refused.

One deliberate difference: for a profile whose name is part of "plugins" (such as
"p"), the AWS CLI writes a bare [p] section that it then does not read as the
profile; ssocli writes [profile p].`,
		Args: positionalArgs("varname", "value"),
	}
	sub := subsectionFlags(c, "write VARNAME to this sub-section")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		o.deps = a.deps()
		o.Varname, o.Value = args[0], args[1]
		var err error
		if o.Sub, err = sub(); err != nil {
			return err
		}
		if o.Sub.Kind != "" && !validSubsectionName(o.Sub.Name) {
			return usageError("Invalid value for --%s.", o.Sub.Kind)
		}
		if runF != nil {
			return runF(cmd.Context(), o)
		}
		return runConfigureSet(cmd.Context(), o)
	}
	return c
}

// validSubsectionName is set.py's re.match(r"[\w\d_\-/.%@:\+]+", name): the
// name must start with a word character or one of _-/.%@:+ (only the start is
// checked, as re.match does).
func validSubsectionName(name string) bool {
	for _, r := range name {
		// Python's \w: a letter or a number of any script, or "_".
		return unicode.IsLetter(r) || unicode.IsNumber(r) || strings.ContainsRune("_-/.%@:+", r)
	}
	return false
}

// credentialsFileKeys are set.py's _WRITE_TO_CREDS_FILE (2.36 added
// aws_security_token).
var credentialsFileKeys = []string{"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token"}

// setTarget is where configure set writes: the file, the section header, the
// key and, for a nested key, the sub-key.
type setTarget struct {
	credentials bool
	section     string
	key, subKey string
}

// configureSetTarget is set.py's _run_main up to the call of the writer.
func (d *deps) configureSetTarget(varname string, sub subsection) (setTarget, error) {
	if sub.Kind != "" {
		t := setTarget{section: awsconfig.SectionHeader(sub.Kind, sub.Name), key: varname}
		if strings.Contains(varname, ".") {
			parts := strings.Split(varname, ".")
			if len(parts) > 2 {
				return t, usageError("Found more than two parts in the property to set. Deep nesting of properties is not supported.")
			}
			t.key, t.subKey = parts[0], parts[1]
		}
		return t, nil
	}
	profile := "default"
	if name, explicit := d.profileName(); explicit {
		profile = name // the session's profile: --profile, AWS_PROFILE, AWS_DEFAULT_PROFILE
	}
	t := setTarget{key: varname}
	if strings.Contains(varname, ".") {
		parts := strings.Split(varname, ".")
		switch {
		case parts[0] == "default" || parts[0] == "profile":
			remaining := parts[1:]
			if parts[0] == "profile" {
				profile, remaining = parts[1], parts[2:]
			} else {
				profile = "default"
			}
			if len(remaining) == 0 {
				// Python's IndexError, as the AWS CLI reports it.
				return t, usererr.New(usererr.CodeOther, "list index out of range").
					WithHint("name a profile's key as profile.NAME.KEY, e.g. profile." + parts[1] + ".region")
			}
			t.key = remaining[0]
			if len(remaining) == 2 {
				t.subKey = remaining[1]
			}
		case !strings.Contains("plugins", parts[0]):
			// set.py's `parts[0] not in PREDEFINED_SECTION_NAMES`, a
			// substring test, kept for the parsing of VARNAME.
			t.key = parts[0]
			if len(parts) == 2 {
				t.subKey = parts[1]
			}
		case len(parts) == 2:
			profile, t.key = parts[0], parts[1]
		}
	}
	switch {
	case slices.Contains(credentialsFileKeys, t.key):
		t.credentials, t.section = true, profile
	case profile == "plugins" || profile == "default":
		// The AWS CLI tests `profile in PREDEFINED_SECTION_NAMES`, which
		// also holds for "p", "lug", ...: it writes a bare [p] that no
		// profile lookup reads. ssocli writes [profile p].
		t.section = profile
	default:
		t.section = awsconfig.ProfileSection(profile)
	}
	return t, nil
}

func runConfigureSet(ctx context.Context, o *configureSetOptions) error {
	t, err := o.configureSetTarget(o.Varname, o.Sub)
	if err != nil {
		return err
	}
	configPath, credentialsPath := awsconfig.Paths(o.Env.getenv, o.Env.Home)
	path := configPath
	if t.credentials {
		path = credentialsPath
	}
	_, err = awsconfig.EditFile(ctx, path, func(doc *awsconfig.Document) error {
		if t.subKey != "" {
			return doc.SetNested(t.section, t.key, t.subKey, o.Value)
		}
		return doc.Set(t.section, t.key, o.Value)
	}, awsconfig.EditOptions{Debug: debugLogger(o.Env, o.Globals.Debug).Debug})
	if err != nil {
		return err
	}
	if t.credentials {
		warnIfPermissive(o.Env, path)
	}
	return nil
}

// warnIfPermissive is the AWS CLI 2.36's warn_if_permissive, after a write to
// the credentials file: a file that others may read or write (any mode bit
// outside 0700) gets a warning on stderr. Not on Windows, as in the AWS CLI.
func warnIfPermissive(env *Env, path string) {
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&^0o700 == 0 {
		return
	}
	p := termtext.Line(path)
	fmt.Fprintf(env.Stderr, "\nssocli: [WARNING]: The file '%s' is accessible by other users. Consider running 'chmod 600 %s' to restrict access to only your user.\n", p, p)
}
