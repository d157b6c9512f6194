package creds

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"

	"github.com/ssocli/ssocli/internal/usererr"
)

// The providers a role's credential_source names (botocore's
// CanonicalNameCredentialSourcer), which also end the chain: the container
// credentials endpoint and the EC2 instance metadata service, both through
// the SDK (endpointcreds, ec2rolecreds).

// credentialSources are the canonical names botocore accepts, compared
// exactly (is_supported is case-sensitive).
var credentialSources = []string{"Environment", "EcsContainer", "Ec2InstanceMetadata"}

func (r *resolver) credentialSource(name string) (*node, error) {
	switch name {
	case "Environment":
		return r.env()
	case "EcsContainer":
		return r.container()
	default:
		return r.instanceMetadata()
	}
}

func credentialSourceHint(name string) string {
	switch name {
	case "Environment":
		return "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
	case "EcsContainer":
		return "set AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI (ECS and EKS set them in the container)"
	default:
		return "run on an EC2 instance with an instance profile, and leave AWS_EC2_METADATA_DISABLED unset"
	}
}

// containerHost is where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI points.
const containerHost = "http://169.254.170.2"

// container is botocore's ContainerProvider: on when
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI is set.
func (r *resolver) container() (*node, error) {
	rel, full := r.o.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), r.o.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if rel == "" && full == "" {
		return nil, nil
	}
	endpoint := full
	if rel != "" {
		endpoint = containerHost + rel
	}
	if err := allowedContainerURL(endpoint); err != nil {
		return nil, err
	}
	tokenFile, token := r.o.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), r.o.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	return &node{method: "container-role", fetch: func(ctx context.Context) (*Credentials, error) {
		auth := token
		if tokenFile != "" {
			b, err := os.ReadFile(tokenFile)
			if err != nil {
				return nil, pyOSError(err, tokenFile)
			}
			auth = string(b)
		}
		if strings.ContainsAny(auth, "\r\n") {
			return nil, usererr.New(usererr.CodeOther, "Auth token value is not a legal header value").
				WithHint("remove the line break from AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)")
		}
		hc, err := r.m.httpClient()
		if err != nil {
			return nil, err
		}
		p := endpointcreds.New(endpoint, func(o *endpointcreds.Options) {
			o.HTTPClient = hc
			o.AuthorizationToken = auth
		})
		c, err := p.Retrieve(ctx)
		if err != nil {
			return nil, retrievalError("container-role", err.Error())
		}
		return &Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
			Expiration: c.Expires.UTC(), AccountID: c.AccountID}, nil
	}}, nil
}

// allowedContainerURL is botocore's ContainerMetadataFetcher._validate_allowed_url.
func allowedContainerURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Invalid container credentials URL %q: %v", raw, err), err)
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	allowed := []string{"169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"}
	for _, a := range allowed {
		if host == a {
			return nil
		}
	}
	return usererr.New(usererr.CodeOther, fmt.Sprintf("Unsupported host '%s'.  Can only retrieve metadata from a loopback address or one of these hosts: %s", host, strings.Join(allowed, ", "))).
		WithHint("point AWS_CONTAINER_CREDENTIALS_FULL_URI at https, a loopback address or the container agent")
}

// instanceMetadata is botocore's InstanceMetadataProvider: the role
// credentials of the EC2 instance profile. As in botocore, an instance
// metadata service that cannot be reached means "no credentials here", not
// an error, and AWS_EC2_METADATA_DISABLED=true turns it off.
func (r *resolver) instanceMetadata() (*node, error) {
	if strings.EqualFold(r.o.Getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		return nil, nil
	}
	if r.plan {
		return &node{method: "iam-role"}, nil
	}
	hc, err := r.m.httpClient()
	if err != nil {
		return nil, err
	}
	p := r.profile(r.o.Profile)
	setting := func(env, key string) string {
		if v := r.o.Getenv(env); v != "" {
			return v
		}
		return p.Values[key]
	}
	o := imds.Options{HTTPClient: hc, Endpoint: setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint"),
		ClientEnableState: imds.ClientEnabled, Retryer: aws.NopRetryer{}}
	if strings.EqualFold(setting("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode"), "ipv6") {
		o.EndpointMode = imds.EndpointModeStateIPv6
	}
	// botocore's metadata_service_timeout (default 1 s) bounds each request;
	// a credentials fetch is a token, a role name and the credentials.
	timeout := time.Second
	if s := setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout"); s != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > 0 {
			timeout = time.Duration(n) * time.Second
		}
	}
	prov := ec2rolecreds.New(func(eo *ec2rolecreds.Options) { eo.Client = imds.New(o) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*timeout)
	defer cancel()
	c, err := prov.Retrieve(ctx)
	if err != nil {
		r.m.log().Debug("no credentials from the instance metadata service", "error", err)
		return nil, nil
	}
	return &node{method: "iam-role", fetch: func(context.Context) (*Credentials, error) {
		return &Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
			Expiration: c.Expires.UTC(), AccountID: c.AccountID}, nil
	}}, nil
}
