package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// configureListOptions are what `configure list` runs from.
type configureListOptions struct {
	deps
}

func newConfigureListCmd(a *app, runF func(context.Context, *configureListOptions) error) *cobra.Command {
	o := &configureListOptions{}
	return &cobra.Command{
		Use:   "list",
		Short: "Show the profile, keys and region in use and where each comes from, as `aws configure list` does",
		Long: `Show the profile, the access key and secret key (masked: the last four
characters only) and the region the command line would use, with where each comes
from, in the AWS CLI 2.36's layout:

  NAME       : VALUE                    : TYPE             : LOCATION
  profile    : dev                      : manual           : --profile
  access_key : ****************ABCD     : sso              : 
  secret_key : ****************wxyz     : sso              : 
  region     : us-west-2                : config-file      : ~/.aws/config

TYPE is env, config-file, manual (--profile), or for the keys the credential
provider that gives them (env, shared-credentials-file, config-file, sso,
assume-role, custom-process, container-role, iam-role...). For an IAM Identity
Center profile the keys are the role credentials: from ~/.aws/cli/cache, else
fetched with the cached login (GetRoleCredentials), as the AWS CLI does.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runConfigureList(cmd.Context(), o)
		},
	}
}

// notSet is the AWS CLI's NOT_SET.
const notSet = "<not set>"

// configValue is the AWS CLI's ConfigValue; typ and location "None" stand for
// Python's None, as str() prints it.
type configValue struct{ value, typ, location string }

var unset = configValue{notSet, "None", "None"}

// writeConfigRow is list.py's _display_config_value. Python pads by code
// points, as fmt does.
func writeConfigRow(w io.Writer, name string, v configValue) error {
	_, err := fmt.Fprintf(w, "%-10s : %-24s : %-16s : %s\n", name, v.value, v.typ, v.location)
	return err
}

// maskValue is the AWS CLI's mask_value: sixteen stars and the last four
// characters.
func maskValue(s string) string {
	r := []rune(s)
	return "****************" + string(r[max(0, len(r)-4):])
}

// runConfigureList is the AWS CLI 2.36's ConfigureListCommand._run_main
// (list.py). Rows are written as they are found: when the credentials cannot
// be loaded, the header and the profile row are out before the error, as in
// the AWS CLI.
func runConfigureList(ctx context.Context, o *configureListOptions) error {
	out := o.Env.Stdout
	if err := writeConfigRow(out, "NAME", configValue{"VALUE", "TYPE", "LOCATION"}); err != nil {
		return err
	}
	profile := unset
	if o.Globals.Profile != "" {
		profile = configValue{o.Globals.Profile, "manual", "--profile"}
	} else if name, explicit := o.profileName(); explicit {
		profile = configValue{name, "env", "['AWS_PROFILE', 'AWS_DEFAULT_PROFILE']"}
	}
	if err := writeConfigRow(out, "profile", profile); err != nil {
		return err
	}

	// The AWS CLI 2.36 finds the keys through get_credentials() alone: the
	// provider's method is the type, the location is empty.
	access, secret := unset, unset
	src, err := o.resolveCredentials(nil)
	if err != nil {
		return err
	}
	if src != nil {
		c, err := src(ctx)
		if err != nil {
			return err
		}
		access = configValue{maskValue(c.AccessKeyID), c.Method, ""}
		secret = configValue{maskValue(c.SecretAccessKey), c.Method, ""}
	}
	if err := writeConfigRow(out, "access_key", access); err != nil {
		return err
	}
	if err := writeConfigRow(out, "secret_key", secret); err != nil {
		return err
	}
	return writeConfigRow(out, "region", o.listRegion())
}

// listRegion is list.py's _lookup_region: the environment, then the profile
// in the config files, then the region of the command line (which the AWS
// CLI shows as "imds", assuming nothing else could have set it).
func (d *deps) listRegion() configValue {
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if v := d.Env.getenv(k); v != "" {
			return configValue{v, "env", "['AWS_REGION', 'AWS_DEFAULT_REGION']"}
		}
	}
	if p, ok := d.profileSection(); ok {
		if v, ok := p["region"]; ok {
			location := d.Env.getenv("AWS_CONFIG_FILE")
			if location == "" {
				location = "~/.aws/config" // botocore's default, unexpanded
			}
			return configValue{v, "config-file", location}
		}
	}
	if d.Globals.Region != "" {
		return configValue{d.Globals.Region, "imds", ""}
	}
	return unset
}
