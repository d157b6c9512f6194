package cli

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/awsout"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/usererr"
)

func newSTSCmd(a *app) *cobra.Command {
	c := makeGroup(&cobra.Command{
		Use:   "sts",
		Short: "AWS Security Token Service calls made with a profile's credentials",
	}, "operation")
	c.AddCommand(newCallerIdentityCmd(a, nil))
	return c
}

// callerIdentityOptions are what `sts get-caller-identity` runs from
// (--endpoint-url is the global Globals.EndpointURL, as in the AWS CLI).
type callerIdentityOptions struct {
	deps
}

func newCallerIdentityCmd(a *app, runF func(context.Context, *callerIdentityOptions) error) *cobra.Command {
	o := &callerIdentityOptions{}
	c := &cobra.Command{
		Use:   "get-caller-identity",
		Short: "Show the account, role and user the profile's credentials belong to",
		Long: `Call STS GetCallerIdentity with the profile's credentials and print the result
as the AWS CLI does, after --query, in the --output format (json, the default,
text, table, yaml, yaml-stream or off). For an IAM Identity Center profile the
credentials come from ~/.aws/cli/cache, or are fetched with the cached session
token (refreshed when it is about to expire).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if err := checkPrintFlags(o.Globals); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runCallerIdentity(cmd.Context(), o)
		},
	}
	return c
}

func runCallerIdentity(ctx context.Context, o *callerIdentityOptions) error {
	// As in the AWS CLI, a bad config file or an unknown profile is reported
	// before a bad output format or a missing region.
	if err := o.checkProfile(); err != nil {
		return err
	}
	if _, err := o.outputFormat(); err != nil {
		return err
	}
	region := o.region()
	if region != "" {
		if err := checkRegion(region); err != nil {
			return err
		}
	}
	// The AWS CLI 2.36 loads the credentials before it finds the region
	// missing (F01, F26 of the study).
	c, err := o.credentials(ctx)
	if err != nil {
		return err
	}
	if region == "" {
		return errNoRegion
	}
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	name, _ := o.profileName()
	endpoint := o.Globals.EndpointURL
	if endpoint == "" {
		if endpoint, err = cfg.EndpointURL(name, awsconfig.ServiceSTS, o.Env.getenv); err != nil {
			return err
		}
	}
	api, err := o.commandManager().STSClient(creds.STSOptions{
		Region:       region,
		Endpoint:     endpoint,
		UseFIPS:      cfg.UseFIPSEndpoint(name, o.Env.getenv),
		UseDualStack: cfg.UseDualStackEndpoint(name, o.Env.getenv),
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
	})
	if err != nil {
		return err
	}
	out, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return usererr.FromAPI(err)
	}
	// The members in the order of the service model, as botocore parses them.
	return o.printResponse("GetCallerIdentity", awsout.Map{
		{Key: "UserId", Value: aws.ToString(out.UserId)},
		{Key: "Account", Value: aws.ToString(out.Account)},
		{Key: "Arn", Value: aws.ToString(out.Arn)},
	})
}

// errNoRegion is botocore's NoRegionError, of the AWS CLI's NoRegion class.
var errNoRegion = usererr.New(usererr.CodeConfig, `You must specify a region. You can also configure your region by running "aws configure".`).WithKind(usererr.KindNoRegion)
