package sts

import (
	"net"
	"regexp"
	"strings"
	"sync"
)

// partitions are the AWS partitions by the form of their region names, as
// in the SDKs' partitions.json (aws-sdk-go-v2 keeps its copy in an internal
// package, so the patterns are repeated here). A region matching none is
// not a region.
var partitions = sync.OnceValue(func() []struct {
	name string
	re   *regexp.Regexp
} {
	return []struct {
		name string
		re   *regexp.Regexp
	}{
		{"aws", regexp.MustCompile(`^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$`)},
		{"aws-cn", regexp.MustCompile(`^cn-\w+-\d+$`)},
		{"aws-us-gov", regexp.MustCompile(`^us-gov-\w+-\d+$`)},
		{"aws-iso", regexp.MustCompile(`^us-iso-\w+-\d+$`)},
		{"aws-iso-b", regexp.MustCompile(`^us-isob-\w+-\d+$`)},
		{"aws-iso-e", regexp.MustCompile(`^eu-isoe-\w+-\d+$`)},
		{"aws-iso-f", regexp.MustCompile(`^us-isof-\w+-\d+$`)},
	}
})

// partitionOf returns the partition of region, or "" when it is no region.
func partitionOf(region string) string {
	for _, p := range partitions() {
		if p.re.MatchString(region) {
			return p.name
		}
	}
	return ""
}

// globalRegion is the region SigV4 scopes the global endpoint
// (sts.amazonaws.com) to.
const globalRegion = "us-east-1"

// regionAllowed reports whether a signature scoped to region is accepted
// for a request to host (the request's Host). As the real service:
// sts.<region>.amazonaws.com accepts its own region only, and the global
// sts.amazonaws.com us-east-1 only. Any other host is this server's own
// endpoint (AWS_ENDPOINT_URL), which names no region, and which SDKs sign
// with the profile's region whatever the sso_region: it accepts the regions
// of the server's partition (that of serverRegion), and nothing that is no
// region at all.
func regionAllowed(host, region, serverRegion string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "sts.amazonaws.com" {
		return region == globalRegion
	}
	if r, ok := strings.CutPrefix(host, "sts."); ok {
		if r, ok := strings.CutSuffix(r, ".amazonaws.com"); ok {
			return region == r
		}
	}
	if serverRegion == "" {
		serverRegion = globalRegion
	}
	p := partitionOf(region)
	return p != "" && p == partitionOf(serverRegion)
}
