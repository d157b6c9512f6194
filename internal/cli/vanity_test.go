package cli

import (
	"bytes"
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/idc"
	"github.com/ssocli/ssocli/internal/testutil/vanitygolden"
)

// vanityDir holds the vanity start-URL cases and the AWS CLI 2.36.7's
// results for them (scripts/vanity-goldens.sh).
var vanityDir = filepath.Join("testdata", "awscli-2.36.7", "vanity")

// runVanityCase runs ssocli on a case the way the generator ran the AWS CLI:
// a new home with the case's config, a local Identity Center answering its
// vanity URLs, reached through its CONNECT proxy with its CA
// (HTTPS_PROXY, AWS_CA_BUNDLE: the HTTP client every AWS call uses).
func runVanityCase(t *testing.T, c vanitygolden.Case, args []string, browser func(*vanitygolden.Server) func(string) error) *vanitygolden.Result {
	t.Helper()
	srv, err := vanitygolden.Start(c, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	home := t.TempDir()
	if err := vanitygolden.WriteHome(home, c); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"HOME": home, "HTTPS_PROXY": srv.URL, "AWS_CA_BUNDLE": srv.CAFile}
	var stdout, stderr bytes.Buffer
	env := &Env{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return vars[k] },
		Home:   home,
	}
	if browser != nil {
		env.OpenBrowser = browser(srv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := Run(ctx, env, args)
	r, err := srv.Collect(home, code, stdout.String(), stderr.String())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestVanityLoginLikeAWSCLI: for each vanity case, `ssocli sso login` exits
// as the AWS CLI 2.36.7 did, with its stderr (ssocli's name and hint aside), and leaves the same config (byte for byte), the same SSO cache
// files (names and fields), sent the same startUrl to SSO OIDC, asked the
// vanity URL the same way (HEAD, GET) and tunnelled to the same hosts.
func TestVanityLoginLikeAWSCLI(t *testing.T) {
	t.Parallel()
	cases, err := vanitygolden.LoadCases(vanityDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if slices.Contains(c.Args, "--cli-connect-timeout") {
			continue // TestResolveTimeout, in internal/creds, waits less
		}
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			want, err := vanitygolden.LoadGolden(vanityDir, c.Name)
			if err != nil {
				t.Fatal(err)
			}
			got := runVanityCase(t, c, c.Args, nil)
			if c.Name == "legacy-default" {
				// Deliberately not copied (cli/vanity.go writeSSORegion):
				// the AWS CLI appends "[profile default]", which hides
				// [default] from botocore; ssocli rewrites [default].
				want.Config = strings.Replace(strings.Replace(want.Config, "[profile default]\nsso_region = us-east-1\n", "", 1),
					"sso_region = eu-west-1", "sso_region = us-east-1", 1)
			}
			if got.Code != want.Code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", got.Code, want.Code, got.Stdout, got.Stderr)
			}
			if want.Code == 0 {
				if diff := cmp.Diff(want.Stdout, loginLines(got.Stdout)); diff != "" {
					t.Errorf("stdout (-aws +ssocli):\n%s", diff)
				}
			} else if stderr, _ := stripHints(got.Stderr); stderr != mapGolden(want.Stderr) {
				t.Errorf("stderr %q (its hint aside), want %q", got.Stderr, mapGolden(want.Stderr))
			}
			for _, f := range []struct {
				what      string
				want, got any
			}{
				{"config", want.Config, got.Config},
				{"SSO cache files", want.Cache, got.Cache},
				{"startUrl sent", want.StartURLs, got.StartURLs},
				{"vanity URL requests", want.Requests, got.Requests},
				{"CONNECT hosts", want.Connects, got.Connects},
			} {
				if diff := cmp.Diff(f.want, f.got); diff != "" {
					t.Errorf("%s (-aws +ssocli):\n%s", f.what, diff)
				}
			}
		})
	}
}

// loginLines are the lines of a login's stdout from "SSO region updated" or
// "Successfully logged into" on: the AWS CLI, approved before its first
// poll, prints no device code, while ssocli shows it first.
func loginLines(stdout string) string {
	for _, start := range []string{"SSO region updated to ", "Successfully logged into Start URL: "} {
		if i := strings.Index(stdout, start); i >= 0 && (i == 0 || stdout[i-1] == '\n') {
			return stdout[i:]
		}
	}
	return stdout
}

// TestVanityLoginPKCE: the browser sign-in (PKCE) of a vanity sso-session
// registers its client with the resolved start URL as issuerUrl
// (SSOTokenFetcherAuth._registration: resolved_start_url), in the file the
// AWS CLI's device login of the same session uses, and rewrites the config
// as the device login does.
func TestVanityLoginPKCE(t *testing.T) {
	t.Parallel()
	cases, err := vanitygolden.LoadCases(vanityDir)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cases, func(c vanitygolden.Case) bool { return c.Name == "session" })
	want, err := vanitygolden.LoadGolden(vanityDir, "session")
	if err != nil {
		t.Fatal(err)
	}
	var opened []string
	got := runVanityCase(t, cases[i], []string{"sso", "login", "--profile", "p"}, func(srv *vanitygolden.Server) func(string) error {
		// A browser that reaches AWS host names through the proxy, as ssocli does.
		hc, err := creds.NewHTTPClient(creds.HTTPOptions{CABundle: srv.CAFile, Getenv: func(k string) string {
			if k == "HTTPS_PROXY" {
				return srv.URL
			}
			return ""
		}})
		if err != nil {
			t.Fatal(err)
		}
		return func(u string) error {
			opened = append(opened, u)
			go func() {
				resp, err := hc.Get(u)
				if err != nil {
					t.Errorf("browser: %v", err)
					return
				}
				resp.Body.Close()
			}()
			return nil
		}
	})
	if got.Code != 0 || len(opened) != 1 {
		t.Fatalf("exit %d, %d URLs opened\nstdout: %s\nstderr: %s", got.Code, len(opened), got.Stdout, got.Stderr)
	}
	if !strings.HasPrefix(opened[0], "https://oidc.us-east-1.amazonaws.com/authorize?") {
		t.Errorf("authorize URL %s, want the resolved region's oidc.us-east-1.amazonaws.com", opened[0])
	}
	if diff := cmp.Diff([]string{"https://ssoins-0000000000000000.portal.us-east-1.app.aws"}, got.IssuerURLs); diff != "" {
		t.Errorf("issuerUrl of RegisterClient (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Config, got.Config); diff != "" {
		t.Errorf("config (-aws device login +ssocli PKCE login):\n%s", diff)
	}
	if diff := cmp.Diff(slices.Sorted(maps.Keys(want.Cache)), slices.Sorted(maps.Keys(got.Cache))); diff != "" {
		t.Errorf("SSO cache file names (-aws device login +ssocli PKCE login):\n%s", diff)
	}
	if !strings.Contains(got.Stdout, "SSO region updated to us-east-1\nSuccessfully logged into Start URL: https://sso.example.com/start\n") {
		t.Errorf("stdout %q lacks the region update and the login lines", got.Stdout)
	}
}

// TestLoginResolveTimeout: sso login waits for a vanity URL as long as the
// connect timeout (60 s unless --cli-connect-timeout), and resolve.py's
// 10 s when that is 0.
func TestLoginResolveTimeout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flag optSeconds
		want time.Duration
	}{{optSeconds{}, 60 * time.Second}, {optSeconds{0, true}, 10 * time.Second}, {optSeconds{5, true}, 5 * time.Second}} {
		if got := loginResolveTimeout(tc.flag); got != tc.want {
			t.Errorf("loginResolveTimeout(%v) = %v, want %v", tc.flag, got, tc.want)
		}
	}
}

// TestConfigureSSOSessionVanityFlags: without a terminal, a vanity start URL
// given as a flag is resolved as the wizard resolves a typed one: its region
// is written, unless --region names another, which wins.
func TestConfigureSSOSessionVanityFlags(t *testing.T) {
	t.Parallel()
	c := vanitygolden.Case{Name: "flags", Vanity: []idc.VanityURL{{URL: "https://sso.example.com/start", Location: "https://ssoins-1.portal.eu-central-1.app.aws/"}}}
	for _, tc := range []struct {
		flags  []string
		region string
	}{
		{nil, "eu-central-1"},
		{[]string{"--region", "ap-south-1"}, "ap-south-1"},
	} {
		args := append([]string{"configure", "sso-session", "--sso-session", "v", "--start-url", "https://sso.example.com/start", "--non-interactive"}, tc.flags...)
		got := runVanityCase(t, c, args, nil)
		want := "[sso-session v]\nsso_start_url = https://sso.example.com/start\nsso_region = " + tc.region + "\nsso_registration_scopes = sso:account:access\n"
		want = strings.ReplaceAll(want, "\n", awsconfig.LineEnding(nil)) // a new file: the system's line endings
		if got.Code != 0 || got.Config != want {
			t.Errorf("%v: exit %d, config:\n%s\nwant:\n%s\nstderr: %s", tc.flags, got.Code, got.Config, want, got.Stderr)
		}
		if diff := cmp.Diff([]string{"HEAD sso.example.com/start"}, got.Requests); diff != "" {
			t.Errorf("%v: vanity URL requests (-want +got):\n%s", tc.flags, diff)
		}
	}
}
