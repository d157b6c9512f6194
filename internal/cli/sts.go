package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/usererr"
)

func (a *app) stsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sts",
		Short: "AWS Security Token Service calls made with a profile's credentials",
	}
	c.AddCommand(a.callerIdentityCmd())
	return c
}

type callerIdentityOptions struct {
	EndpointURL string
	Output      string
}

func (a *app) callerIdentityCmd() *cobra.Command {
	var o callerIdentityOptions
	c := &cobra.Command{
		Use:   "get-caller-identity",
		Short: "Show the account, role and user the profile's credentials belong to",
		Long: `Call STS GetCallerIdentity with the profile's credentials and print the result
as the AWS CLI does (--output json, the default, or text). For an IAM Identity
Center profile the credentials come from ~/.aws/cli/cache, or are fetched with the
cached session token (refreshed when it is about to expire).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Output = a.outputFormat()
			if a.parsed != nil {
				return a.parsed(o)
			}
			return a.runCallerIdentity(cmd.Context(), o)
		},
	}
	c.Flags().StringVar(&o.EndpointURL, "endpoint-url", "", "send the STS call to this URL instead of the regional endpoint")
	return c
}

func (a *app) runCallerIdentity(ctx context.Context, o callerIdentityOptions) error {
	if o.Output != "json" && o.Output != "text" && o.Output != "table" {
		return usageError("Unsupported output format %q: use json, text or table.", o.Output)
	}
	// As in the AWS CLI, a bad config file or an unknown profile is reported
	// before a missing region.
	if err := a.checkProfile(); err != nil {
		return err
	}
	region := a.region()
	if region == "" {
		return usererr.New(usererr.CodeConfig, `You must specify a region. You can also configure your region by running "aws configure".`)
	}
	c, err := a.credentials(ctx)
	if err != nil {
		return err
	}
	cfg, err := a.config()
	if err != nil {
		return err
	}
	name, _ := a.profileName()
	endpoint := o.EndpointURL
	if endpoint == "" {
		if endpoint, err = cfg.EndpointURL(name, awsconfig.ServiceSTS, a.env.getenv); err != nil {
			return err
		}
	}
	api, err := a.manager().STSClient(creds.STSOptions{
		Region:       region,
		Endpoint:     endpoint,
		UseFIPS:      cfg.UseFIPSEndpoint(name, a.env.getenv),
		UseDualStack: cfg.UseDualStackEndpoint(name, a.env.getenv),
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
	})
	if err != nil {
		return err
	}
	out, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return usererr.FromAPI(err)
	}
	id := struct {
		UserID  string `json:"UserId"`
		Account string `json:"Account"`
		Arn     string `json:"Arn"`
	}{aws.ToString(out.UserId), aws.ToString(out.Account), aws.ToString(out.Arn)}
	switch o.Output {
	case "text":
		// Text output sorts the keys: Account, Arn, UserId (spec §8).
		fmt.Fprintf(a.env.Stdout, "%s\t%s\t%s\n", id.Account, id.Arn, id.UserID)
	case "table":
		printTable(a.env.Stdout, "GetCallerIdentity", [][2]string{{"Account", id.Account}, {"Arn", id.Arn}, {"UserId", id.UserID}})
	default:
		b, _ := json.MarshalIndent(id, "", "    ")
		fmt.Fprintf(a.env.Stdout, "%s\n", b)
	}
	return nil
}
