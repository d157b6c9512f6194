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
	noUsers := func(string) (string, bool) { return "", false }
	tests := []struct {
		name                  string
		goos                  string
		env                   map[string]string
		home                  string
		wantConfig, wantCreds string
	}{
		{"defaults", "linux", nil, "/home/u", "/home/u/.aws/config", "/home/u/.aws/credentials"},
		{"home with trailing slash", "darwin", nil, "/home/u/", "/home/u/.aws/config", "/home/u/.aws/credentials"},
		{"env overrides", "linux", map[string]string{"AWS_CONFIG_FILE": "/etc/aws.cfg", "AWS_SHARED_CREDENTIALS_FILE": "/etc/creds"}, "/home/u", "/etc/aws.cfg", "/etc/creds"},
		{"expandvars then expanduser", "linux", map[string]string{"AWS_CONFIG_FILE": "$D/${F}.ini", "D": "~/x", "F": "cfg", "AWS_SHARED_CREDENTIALS_FILE": "~/c"}, "/h", "/h/x/cfg.ini", "/h/c"},
		{"unknown variables stay", "linux", map[string]string{"AWS_CONFIG_FILE": "/a/$NOPE/${NOPE2}/$/x$"}, "/h", "/a/$NOPE/${NOPE2}/$/x$", "/h/.aws/credentials"},
		{"unknown user's home is not expanded", "linux", map[string]string{"AWS_CONFIG_FILE": "~bob/config"}, "/h", "~bob/config", "/h/.aws/credentials"},
		{"bare tilde", "linux", map[string]string{"AWS_CONFIG_FILE": "~"}, "/h", "/h", "/h/.aws/credentials"},
		{"no percent variables on Unix", "linux", map[string]string{"AWS_CONFIG_FILE": "%X%/~/c", "X": "x"}, "/h", "%X%/~/c", "/h/.aws/credentials"},
		{"backslash is a name character on Unix", "linux", map[string]string{"AWS_CONFIG_FILE": `~\c`}, "/h", `~\c`, "/h/.aws/credentials"},

		{"Windows defaults", "windows", nil, `C:\Users\me`, `C:\Users\me\.aws\config`, `C:\Users\me\.aws\credentials`},
		{"Windows ~ ends at a backslash", "windows", map[string]string{"AWS_CONFIG_FILE": `~\cfg\config`, "AWS_SHARED_CREDENTIALS_FILE": "~/c"}, `C:\Users\me`, `C:\Users\me\cfg\config`, `C:\Users\me/c`},
		{"Windows %VAR%, $VAR and ${VAR}", "windows", map[string]string{"AWS_CONFIG_FILE": `%APPDATA%\$D\${F}.ini`, "APPDATA": `C:\Users\me\AppData\Roaming`, "D": "aws", "F": "cfg"}, `C:\Users\me`, `C:\Users\me\AppData\Roaming\aws\cfg.ini`, `C:\Users\me\.aws\credentials`},
		{"Windows quotes, %% and $$", "windows", map[string]string{"AWS_CONFIG_FILE": `'%X%'\100%%\$$X`, "X": "x"}, `C:\h`, `'%X%'\100%\$X`, `C:\h\.aws\credentials`},
		{"Windows home is kept as it is", "windows", map[string]string{"AWS_CONFIG_FILE": `~\c`}, `C:\h\`, `C:\h\\c`, `C:\h\\.aws\credentials`},
		{"Windows sibling profile", "windows", map[string]string{"AWS_CONFIG_FILE": `~bob\c`, "USERNAME": "me"}, `C:\Users\me`, `C:\Users\bob\c`, `C:\Users\me\.aws\credentials`},
		{"Windows without a home", "windows", nil, "", `~\.aws\config`, `~\.aws\credentials`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, creds := pathsFor(tt.goos, envFunc(tt.env), tt.home, noUsers)
			if diff := cmp.Diff([2]string{tt.wantConfig, tt.wantCreds}, [2]string{cfg, creds}); diff != "" {
				t.Errorf("pathsFor(%s) (-want +got):\n%s", tt.goos, diff)
			}
		})
	}
}

// TestPathsDefaultIsJoined checks that on the running system the default
// files are filepath.Join(home, ".aws", name).
func TestPathsDefaultIsJoined(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cfg, creds := Paths(envFunc(nil), home)
	if want := filepath.Join(home, ".aws", "config"); cfg != want {
		t.Errorf("config = %q, want %q", cfg, want)
	}
	if want := filepath.Join(home, ".aws", "credentials"); creds != want {
		t.Errorf("credentials = %q, want %q", creds, want)
	}
}

func TestHomeDir(t *testing.T) {
	t.Parallel()
	fallback := func() string { return "FALLBACK" }
	tests := []struct {
		name string
		goos string
		env  map[string]string
		want string
	}{
		{"Unix: HOME", "linux", map[string]string{"HOME": "/home/u", "USERPROFILE": `C:\Users\x`}, "/home/u"},
		{"Unix: the user database without HOME", "darwin", map[string]string{"USERPROFILE": `C:\Users\x`}, "FALLBACK"},
		{"Windows: USERPROFILE, not HOME", "windows", map[string]string{"HOME": "/home/u", "USERPROFILE": `C:\Users\x`, "HOMEDRIVE": "D:", "HOMEPATH": `\y`}, `C:\Users\x`},
		{"Windows: HOMEDRIVE and HOMEPATH", "windows", map[string]string{"HOME": "/home/u", "HOMEDRIVE": "D:", "HOMEPATH": `\Users\y`}, `D:\Users\y`},
		{"Windows: HOMEPATH alone", "windows", map[string]string{"HOMEPATH": `\Users\y`}, `\Users\y`},
		{"Windows: the user profile as the Go SDK finds it", "windows", map[string]string{"HOME": "/home/u", "HOMEDRIVE": "D:"}, "FALLBACK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := homeDir(tt.goos, envFunc(tt.env), fallback); got != tt.want {
				t.Errorf("homeDir = %q, want %q", got, tt.want)
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
