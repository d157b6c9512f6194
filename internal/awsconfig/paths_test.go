package awsconfig

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func envFunc(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func writeTemp(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		env                   map[string]string
		home                  string
		wantConfig, wantCreds string
	}{
		{"defaults", nil, "/home/u", "/home/u/.aws/config", "/home/u/.aws/credentials"},
		{"home with trailing slash", nil, "/home/u/", "/home/u/.aws/config", "/home/u/.aws/credentials"},
		{"env overrides", map[string]string{"AWS_CONFIG_FILE": "/etc/aws.cfg", "AWS_SHARED_CREDENTIALS_FILE": "/etc/creds"}, "/home/u", "/etc/aws.cfg", "/etc/creds"},
		{"expandvars then expanduser", map[string]string{"AWS_CONFIG_FILE": "$D/${F}.ini", "D": "~/x", "F": "cfg", "AWS_SHARED_CREDENTIALS_FILE": "~/c"}, "/h", "/h/x/cfg.ini", "/h/c"},
		{"unknown variables stay", map[string]string{"AWS_CONFIG_FILE": "/a/$NOPE/${NOPE2}/$/x$"}, "/h", "/a/$NOPE/${NOPE2}/$/x$", "/h/.aws/credentials"},
		{"other user's home is not expanded", map[string]string{"AWS_CONFIG_FILE": "~bob/config"}, "/h", "~bob/config", "/h/.aws/credentials"},
		{"bare tilde", map[string]string{"AWS_CONFIG_FILE": "~"}, "/h", "/h", "/h/.aws/credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, creds := Paths(envFunc(tt.env), tt.home)
			if diff := cmp.Diff([2]string{tt.wantConfig, tt.wantCreds}, [2]string{cfg, creds}); diff != "" {
				t.Errorf("Paths (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelectProfile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		flag         string
		env          map[string]string
		want         string
		wantExplicit bool
	}{
		{"flag wins", "f", map[string]string{"AWS_PROFILE": "p", "AWS_DEFAULT_PROFILE": "d"}, "f", true},
		{"AWS_PROFILE before AWS_DEFAULT_PROFILE", "", map[string]string{"AWS_PROFILE": "p", "AWS_DEFAULT_PROFILE": "d"}, "p", true},
		{"AWS_DEFAULT_PROFILE", "", map[string]string{"AWS_DEFAULT_PROFILE": "d"}, "d", true},
		{"default, implicit", "", nil, "default", false},
		{"explicit default", "default", nil, "default", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name, explicit := SelectProfile(tt.flag, envFunc(tt.env))
			if name != tt.want || explicit != tt.wantExplicit {
				t.Errorf("SelectProfile = %q, %v; want %q, %v", name, explicit, tt.want, tt.wantExplicit)
			}
		})
	}
}
