package creds

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ssocli/ssocli/internal/ssocache"
)

// STSOptions chooses the STS endpoint and the credentials that sign.
type STSOptions struct {
	// Region is the STS region; "" is the AWS CLI's global endpoint
	// (sts.amazonaws.com, signed for us-east-1). STS is otherwise always
	// regional: the AWS CLI v2 does not read sts_regional_endpoints.
	Region string
	// Endpoint overrides the endpoint (AWS_ENDPOINT_URL_STS & co, --endpoint-url).
	Endpoint string
	// UseFIPS and UseDualStack pick the FIPS and dual-stack endpoints through
	// the SDK's endpoint rules; an Endpoint turns them off, as in botocore.
	UseFIPS, UseDualStack bool
	// Credentials sign the calls; nil sends them unsigned
	// (AssumeRoleWithWebIdentity).
	Credentials aws.CredentialsProvider
}

// STSClient returns an STS client with the AWS CLI's retry settings.
func (m *Manager) STSClient(o STSOptions) (*sts.Client, error) {
	hc, err := m.httpClient()
	if err != nil {
		return nil, err
	}
	region := o.Region
	switch {
	case region == "" && o.Endpoint != "":
		// The global endpoint's signing region; with an endpoint given the
		// SDK would sign for "aws-global" itself.
		region = "us-east-1"
	case region == "":
		region = "aws-global"
	default:
		if err := CheckRegion(region); err != nil {
			return nil, err
		}
	}
	opts := sts.Options{
		Region:           region,
		HTTPClient:       hc,
		Credentials:      o.Credentials,
		RetryMaxAttempts: 3,
		RetryMode:        aws.RetryModeStandard,
	}
	if o.Credentials == nil {
		opts.Credentials = aws.AnonymousCredentials{}
	}
	if o.Endpoint != "" {
		opts.BaseEndpoint = aws.String(o.Endpoint)
	} else {
		if o.UseFIPS {
			opts.EndpointOptions.UseFIPSEndpoint = aws.FIPSEndpointStateEnabled
		}
		if o.UseDualStack {
			opts.EndpointOptions.UseDualStackEndpoint = aws.DualStackEndpointStateEnabled
		}
	}
	if m.Now != nil {
		// Sign with the Manager's clock, the clock of every other decision
		// (expiry windows); it is time.Now outside tests.
		opts.HTTPSignerV4 = clockSigner{signer: v4.NewSigner(), now: m.Now}
	}
	return sts.New(opts), nil
}

// clockSigner is the SDK's SigV4 signer with the signing time from now.
type clockSigner struct {
	signer *v4.Signer
	now    func() time.Time
}

func (s clockSigner) SignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) error {
	return s.signer.SignHTTP(ctx, c, r, payloadHash, service, region, s.now(), optFns...)
}

// responseMetadata is botocore's ResponseMetadata of an answer, as the AWS
// CLI caches it: request id, status, the response headers (lower-cased; Go
// does not keep their order on the wire, so they are sorted) and the retries.
func responseMetadata(md middleware.Metadata) ssocache.Field {
	var fields []ssocache.Field
	reqID, _ := awsmiddleware.GetRequestIDMetadata(md)
	fields = append(fields, ssocache.Field{Key: "RequestId", Value: reqID})
	status := 200
	var headers []ssocache.Field
	if raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && raw != nil && raw.Response != nil {
		status = raw.StatusCode
		keys := make([]string, 0, len(raw.Header))
		for k := range raw.Header {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return strings.ToLower(keys[i]) < strings.ToLower(keys[j]) })
		for _, k := range keys {
			headers = append(headers, ssocache.Field{Key: strings.ToLower(k), Value: strings.Join(raw.Header[k], ", ")})
		}
	}
	retries := 0
	if res, ok := retry.GetAttemptResults(md); ok && len(res.Results) > 1 {
		retries = len(res.Results) - 1
	}
	fields = append(fields,
		ssocache.Field{Key: "HTTPStatusCode", Value: status},
		ssocache.Field{Key: "HTTPHeaders", Value: headers},
		ssocache.Field{Key: "RetryAttempts", Value: retries})
	return ssocache.Field{Key: "ResponseMetadata", Value: fields}
}

// accountFromArn is botocore's _add_account_id_to_response: the account of
// an ARN (arn:partition:service:region:account:resource), "" if not an ARN.
func accountFromArn(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
