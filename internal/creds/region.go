package creds

import (
	"fmt"

	"github.com/ssocli/ssocli/internal/usererr"
)

// CheckRegion refuses a region botocore refuses before it makes a client
// (botocore.utils.validate_region_name: a host label, letters, digits and
// inner hyphens, 1-63 long), with its message. Without it a region such as
// "us east-1" reaches the SDK, whose endpoint resolver says "failed to bind
// endpoint params". Hand-written because its message must be botocore's.
func CheckRegion(r string) error {
	ok := len(r) >= 1 && len(r) <= 63 && r[0] != '-' && r[len(r)-1] != '-'
	for i := 0; ok && i < len(r); i++ {
		c := r[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
	}
	if !ok {
		return usererr.New(usererr.CodeOther, fmt.Sprintf("Provided region_name '%s' doesn't match a supported format.", r)).
			WithHint("use a region name such as us-east-1 (in --region, AWS_REGION, the profile's region or sso_region)")
	}
	return nil
}
