package cli

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemo runs `ssocli demo` as the README's first command does, and checks
// that each step shows what a person should see, with no secret in full.
func TestDemo(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env := &Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }, Home: t.TempDir(), Now: time.Now}
	if code := Run(ctx, env, []string{"demo"}); code != 0 {
		t.Fatalf("demo exit %d:\n%s", code, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"$ ssocli sso login --profile my-dev-profile --use-device-code",
		"Successfully logged into Start URL: https://d-0000000000.awsapps.com/start",
		`"Arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_`,
		"export AWS_ACCESS_KEY_ID=ASIA",
		"role_arn = arn:aws:iam::444455556666:role/Deployer",
		"$ ssocli sts get-caller-identity --profile my-prod-deployer",
		`"Arn": "arn:aws:sts::444455556666:assumed-role/Deployer/`,
		"$ ssocli sso logout",
		"Error loading SSO Token: Token for my-sso does not exist",
		"To do the same against your own AWS organisation",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	secrets := regexp.MustCompile(`(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)=(\S*)`).FindAllStringSubmatch(got, -1)
	if len(secrets) != 2 {
		t.Errorf("found %d secret variables in the demo output, want 2", len(secrets))
	}
	for _, m := range secrets {
		if !regexp.MustCompile(`^\S{4}…\(hidden\)$`).MatchString(m[2]) {
			t.Errorf("the demo printed %s in full", m[1])
		}
	}
	// The temporary home is gone and the user's own home was never used.
	if m := regexp.MustCompile(`temporary home, (\S+),`).FindStringSubmatch(got); m == nil {
		t.Errorf("the demo does not say where it works")
	} else if _, err := os.Stat(m[1]); !os.IsNotExist(err) {
		t.Errorf("the temporary home %s was left behind (%v)", m[1], err)
	}
	if entries, _ := os.ReadDir(env.Home); len(entries) != 0 {
		t.Errorf("the demo wrote into the user's home: %d entries", len(entries))
	}
}
