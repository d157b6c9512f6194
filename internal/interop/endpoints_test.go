package interop

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/testutil/netns"
)

// syncBuffer is a bytes.Buffer for a logger written from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// take returns what was written since the last take.
func (s *syncBuffer) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.b.String()
	s.b.Reset()
	return out
}

var connectTarget = regexp.MustCompile(`msg="proxy (?:refused )?CONNECT".* target=(\S+?)(?::443)?(?:\s|$)`)

// connectHosts are the distinct hosts of the CONNECT lines of a server log.
func connectHosts(log string) []string {
	var hosts []string
	for _, m := range connectTarget.FindAllStringSubmatch(log, -1) {
		if !slices.Contains(hosts, m[1]) {
			hosts = append(hosts, m[1])
		}
	}
	slices.Sort(hosts)
	return hosts
}

// TestEndpointVariantsLikeAWSCLI: with each FIPS and dual-stack setting, the
// hosts ssocli asks the proxy for (the server's CONNECT log) are the AWS CLI
// 2.9.19's, for a login (SSO OIDC), for sts get-caller-identity of an SSO
// profile (the portal, then STS) and for a logout (the portal). The dual-stack hosts (*.api.aws) are
// refused by the proxy, so those commands fail for both; what matters is
// where they tried to go.
func TestEndpointVariantsLikeAWSCLI(t *testing.T) {
	settings := []struct {
		name string
		env  []string
		keys string // added to [profile p]
	}{
		{name: "AWS_USE_FIPS_ENDPOINT", env: []string{"AWS_USE_FIPS_ENDPOINT=true"}},
		{name: "use_fips_endpoint", keys: "use_fips_endpoint = true\n"},
		{name: "AWS_USE_DUALSTACK_ENDPOINT", env: []string{"AWS_USE_DUALSTACK_ENDPOINT=true"}},
		{name: "use_dualstack_endpoint", keys: "use_dualstack_endpoint = true\n"},
		{name: "both", env: []string{"AWS_USE_FIPS_ENDPOINT=true"}, keys: "use_dualstack_endpoint = true\n"},
		{name: "variable false over profile true", env: []string{"AWS_USE_FIPS_ENDPOINT=false"}, keys: "use_fips_endpoint = true\n"},
	}
	for _, s := range settings {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			seen := map[string][][]string{}
			for _, tool := range []string{"aws", "ssocli"} {
				var log syncBuffer
				f := newFixture(t, append(approveAtOnce(), idctest.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))...)
				p := sessionProfile
				// The token comes from a login without the setting; then the
				// setting is added.
				f.loggedIn(t, f.ssocli(t, viaProxy, "sso", "login", "--profile", p.name, "--use-device-code"))
				cfgPath := filepath.Join(f.home, ".aws", "config")
				writeFile(t, cfgPath, strings.Replace(readFileString(t, cfgPath), "[profile p]\n", "[profile p]\n"+s.keys, 1))
				log.take()
				var hosts [][]string
				for _, args := range [][]string{{"sso", "login", "--profile", p.name}, {"sts", "get-caller-identity", "--profile", p.name}, {"sso", "logout"}} {
					if err := os.RemoveAll(filepath.Join(f.home, ".aws", "cli", "cache")); err != nil {
						t.Fatal(err)
					}
					if tool == "aws" {
						if args[1] == "login" {
							args = append(args, "--no-browser")
						}
						run(t, netns.AWSCLI(t), f.awsEnv(s.env...), args...)
					} else {
						if args[1] == "login" {
							args = append(args, "--use-device-code")
						}
						run(t, ssocliBin, f.ssocliEnv(viaProxy, s.env...), args...)
					}
					hosts = append(hosts, connectHosts(log.take()))
				}
				seen[tool] = hosts
			}
			t.Logf("hosts of [login, get-caller-identity, logout]: %v", seen["aws"])
			if len(seen["aws"][0]) == 0 || len(seen["aws"][1]) == 0 {
				t.Fatalf("the AWS CLI made no CONNECT: %v", seen["aws"])
			}
			if diff := cmp.Diff(seen["aws"], seen["ssocli"]); diff != "" {
				t.Errorf("hosts of [login, get-caller-identity, logout] (-aws +ssocli):\n%s", diff)
			}
		})
	}
}
