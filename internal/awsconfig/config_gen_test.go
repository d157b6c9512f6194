package awsconfig

import (
	"fmt"
	"strings"
)

// benchConfig is a config with n SSO profiles, an sso-session, comments and an
// s3 sub-section every tenth profile, shaped like a large organisation's file.
func benchConfig(n int) string {
	var b strings.Builder
	b.WriteString("# generated\n[default]\nregion = us-east-1\noutput = json\n\n")
	b.WriteString("[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n")
	for i := range n {
		fmt.Fprintf(&b, "[profile team%04d-ReadOnly]\n", i)
		fmt.Fprintf(&b, "sso_session = corp\nsso_account_id = %012d\nsso_role_name = ReadOnly\nregion = us-west-2\noutput = json\n", 100000000000+i)
		if i%10 == 0 {
			b.WriteString("# transfer tuning\ns3 =\n  max_concurrent_requests = 20\n  multipart_threshold = 64MB\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}
