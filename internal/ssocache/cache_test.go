package ssocache

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ssocli/ssocli/internal/testutil/require"
)

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// marshaler is what the three cache types have in common.
type marshaler interface{ Marshal() []byte }

var goldenCases = []struct {
	name string
	v    marshaler
}{
	{"token-full.json", &Token{
		StartURL: "https://example.awsapps.com/start", Region: "us-east-1",
		AccessToken: "fake-access-token", ExpiresAt: date("2026-11-26T01:08:02.999Z"),
		ClientID: "fake-client-id", ClientSecret: "fake-client-secret",
		RegistrationExpiresAt: date("2027-02-23T17:07:56Z"), RefreshToken: "fake-refresh-token",
	}},
	{"token-minimal.json", &Token{AccessToken: "fake-access-token", ExpiresAt: date("2026-11-26T03:08:02+02:00")}},
	{"token-escapes.json", &Token{
		StartURL: "https://ex\u00e4mple.awsapps.com/start?a=<b>&c=\"d\"/\\\U0001F600\t\x7f\x00", Region: "us-east-1",
		AccessToken: "fake-access-token", ExpiresAt: date("2026-11-26T01:08:02Z"),
	}},
	{"token-extra.json", &Token{
		StartURL: "https://example.awsapps.com/start", Region: "us-east-1",
		AccessToken: "fake-access-token", ExpiresAt: date("2026-11-26T01:08:02Z"),
		extra: []member{{"receivedAt", []byte(`"2026-11-25T17:08:02Z"`)}, {"n", []byte(`{"a": [1, null]}`)}},
	}},
	{"registration-device.json", &Registration{
		ClientID: "fake-client-id", ClientSecret: "fake-client-secret", ExpiresAt: date("2027-02-23T17:07:56Z"),
		Scopes: []string{"sso:account:access"},
	}},
	{"registration-legacy.json", &Registration{
		ClientID: "fake-client-id", ClientSecret: "fake-client-secret", ExpiresAt: date("2027-02-23T17:07:56Z"),
	}},
	{"registration-pkce.json", &Registration{
		ClientID: "fake-client-id", ClientSecret: "fake-client-secret", ExpiresAt: date("2027-02-23T17:07:56Z"),
		Scopes: []string{"sso:account:access"}, GrantTypes: []string{"authorization_code", "refresh_token"},
	}},
	{"registration-empty-scopes.json", &Registration{
		ClientID: "fake-client-id", ClientSecret: "fake-client-secret", ExpiresAt: date("2027-02-23T17:07:56Z"),
		Scopes: []string{},
	}},
	{"rolecreds-2.9.19.json", &RoleCredentials{
		AccessKeyID: "ASIAFAKEFAKEFAKE0001", SecretAccessKey: "fake/secret+key", SessionToken: "fake-session-token",
		Expiration: date("2026-11-25T18:08:08.731Z"),
	}},
	{"rolecreds-2.25.json", &RoleCredentials{
		AccessKeyID: "ASIAFAKEFAKEFAKE0001", SecretAccessKey: "fake/secret+key", SessionToken: "fake-session-token",
		Expiration: date("2026-11-25T18:08:08Z"), AccountID: "111122223333",
	}},
}

// TestMarshalGolden pins the exact bytes of every file kind. Run with -update to
// rewrite testdata/golden after a deliberate change, then check the diff and that
// TestGoldenIsPythonFixedPoint still passes.
func TestMarshalGolden(t *testing.T) {
	t.Parallel()
	for _, tt := range goldenCases {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.v.Marshal()
			path := filepath.Join("testdata", "golden", tt.name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if d := diffBytes(got, readTestdata(t, filepath.Join("golden", tt.name))); d != "" {
				t.Errorf("Marshal: %s (rerun with -update if the change is intended)", d)
			}
		})
	}
}

// TestGoldenIsPythonFixedPoint checks that Python's json.loads then json.dumps
// gives back every golden and fixture file byte for byte: the separators, the
// escaping and the key order are exactly what the AWS CLI's json.dumps writes.
// Skipped without python3 (failed under CI).
func TestGoldenIsPythonFixedPoint(t *testing.T) {
	t.Parallel()
	py := require.Command(t, "python3")
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	awscli, _ := filepath.Glob(filepath.Join("testdata", "awscli", "*.json"))
	files = append(files, awscli...)
	if len(files) < len(goldenCases) {
		t.Fatalf("found %d files, want at least %d", len(files), len(goldenCases))
	}
	// One python3 for all files (startup is slow): it prints json.dumps of each
	// file, NUL-separated.
	args := append([]string{"-c", `import json,sys; sys.stdout.write("\0".join(json.dumps(json.load(open(f))) for f in sys.argv[1:]))`}, files...)
	out, err := exec.Command(py, args...).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	dumps := strings.Split(string(out), "\x00")
	if len(dumps) != len(files) {
		t.Fatalf("python3 gave %d outputs for %d files", len(dumps), len(files))
	}
	for i, f := range files {
		t.Run(f, func(t *testing.T) {
			want, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffBytes([]byte(dumps[i]), want); d != "" {
				t.Errorf("json.dumps(json.load(f)) differs from f: %s", d)
			}
		})
	}
}

// TestAWSCLIFixturesRoundTrip reads files the AWS CLI 2.9.19 wrote (see
// testdata/awscli/generate.py) and checks both the values read and that Marshal
// gives back the very same bytes, unknown keys included.
func TestAWSCLIFixturesRoundTrip(t *testing.T) {
	t.Parallel()
	reg := date("2027-02-23T17:07:56Z")
	exp := date("2026-11-26T01:08:02Z")
	tests := []struct {
		file string
		want marshaler
	}{
		{"token-sso-session.json", &Token{
			StartURL: "https://example.awsapps.com/start", Region: "us-east-1", AccessToken: "fake-access-token-1", ExpiresAt: exp,
			ClientID: "fake-client-id-1", ClientSecret: "fake-client-secret-1", RegistrationExpiresAt: reg, RefreshToken: "fake-refresh-token-1",
		}},
		{"token-legacy.json", &Token{
			StartURL: "https://example.awsapps.com/start", Region: "us-east-1", AccessToken: "fake-access-token-2", ExpiresAt: exp,
			ClientID: "fake-client-id-2", ClientSecret: "fake-client-secret-2", RegistrationExpiresAt: reg,
		}},
		{"token-unicode.json", &Token{
			StartURL: "https://ex\u00e4mple.awsapps.com/start?a=<b>&c=\"d\"/\\\U0001F600\t\x7f", Region: "us-east-1",
			AccessToken: "fake-access-token-3", ExpiresAt: exp, ClientID: "fake-client-id-3", ClientSecret: "fake-client-secret-3",
			RegistrationExpiresAt: reg, RefreshToken: "fake-refresh-token-3",
		}},
		{"token-unknown-keys.json", &Token{
			StartURL: "https://example.awsapps.com/start", Region: "us-east-1", AccessToken: "fake-access-token-4", ExpiresAt: exp,
			ClientID: "fake-client-id-4", ClientSecret: "fake-client-secret-4", RegistrationExpiresAt: reg, RefreshToken: "fake-refresh-token-4",
			extra: []member{
				{"receivedAt", []byte(`"2026-11-25T17:08:02Z"`)},
				{"scopes", []byte(`["sso:account:access"]`)},
				{"nested", []byte(`{"b": [1, 2.5, -3e-07, true, null], "a": {}}`)},
				{"empty", []byte(`[]`)},
				{"caf\u00e9", []byte(`"\u2603"`)},
			},
		}},
		{"registration-sso-session.json", &Registration{ClientID: "fake-client-id-1", ClientSecret: "fake-client-secret-1", ExpiresAt: reg, Scopes: []string{"sso:account:access"}}},
		{"registration-legacy.json", &Registration{ClientID: "fake-client-id-2", ClientSecret: "fake-client-secret-2", ExpiresAt: reg}},
		{"registration-unicode.json", &Registration{ClientID: "fake-client-id-3", ClientSecret: "fake-client-secret-3", ExpiresAt: reg, Scopes: []string{"sso:account:access", "x:\u00fc"}}},
		{"registration-pkce.json", &Registration{
			ClientID: "fake-client-id-6", ClientSecret: "fake-client-secret-6", ExpiresAt: reg,
			Scopes: []string{"sso:account:access"}, GrantTypes: []string{"authorization_code", "refresh_token"},
		}},
		{"rolecreds-sso-session.json", &RoleCredentials{AccessKeyID: "ASIAFAKEFAKEFAKE0001", SecretAccessKey: "fake/secret+key", SessionToken: "fake-session-token", Expiration: date("2026-11-26T03:08:08Z")}},
		{"rolecreds-legacy.json", &RoleCredentials{AccessKeyID: "ASIAFAKEFAKEFAKE0001", SecretAccessKey: "fake/secret+key", SessionToken: "fake-session-token", Expiration: date("2026-11-26T03:08:08Z")}},
		{"rolecreds-accountid.json", &RoleCredentials{
			AccessKeyID: "ASIAFAKEFAKEFAKE0002", SecretAccessKey: "fake/secret+key2", SessionToken: "fake-session-token-2",
			Expiration: date("2026-11-25T18:08:08Z"), AccountID: "111122223333",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", "awscli", tt.file)
			var got marshaler
			var err error
			switch tt.want.(type) {
			case *Token:
				got, err = ReadToken(path)
			case *Registration:
				got, err = ReadRegistration(path)
			case *RoleCredentials:
				got, err = ReadRoleCredentials(path)
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, cmpOpts); d != "" {
				t.Errorf("read (-want +got):\n%s", d)
			}
			if d := diffBytes(got.Marshal(), readTestdata(t, filepath.Join("awscli", tt.file))); d != "" {
				t.Errorf("Marshal of what was read: %s", d)
			}
		})
	}
}

// TestUnknownKeysMoveAfterKnown documents where unknown keys go on a rewrite: after
// the known ones, in the order read.
func TestUnknownKeysMoveAfterKnown(t *testing.T) {
	t.Parallel()
	tok, err := ReadToken(filepath.Join("testdata", "awscli", "token-unknown-middle.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(tok.Marshal())
	want := `{"startUrl": "https://example.awsapps.com/start", "region": "us-east-1", "accessToken": "fake-access-token-5", "expiresAt": "2026-11-25T18:08:02Z", "receivedAt": "2026-11-25T17:08:02Z"}`
	if d := diffBytes([]byte(got), []byte(want)); d != "" {
		t.Error(d)
	}
}

func TestReadTokenForms(t *testing.T) {
	t.Parallel()
	want := date("2026-11-26T01:08:02Z")
	tests := []struct {
		name      string
		expiresAt string
		want      time.Time
	}{
		{"aws cli", "2026-11-26T01:08:02Z", want},
		{"fraction", "2026-11-26T01:08:02.000Z", want},
		{"nanoseconds", "2026-11-26T01:08:02.123456789Z", want.Add(123456789)},
		{"offset", "2026-11-26T01:08:02+00:00", want},
		{"other offset", "2026-11-26T03:08:02+02:00", want},
		{"UTC suffix", "2026-11-26T01:08:02UTC", want},
		{"space UTC suffix", "2026-11-26T01:08:02 UTC", want},
		{"python str", "2026-11-26 01:08:02+00:00", want},
		{"no zone", "2026-11-26T01:08:02", want},
		{"fraction UTC", "2026-11-26T01:08:02.5UTC", want.Add(500 * time.Millisecond)},
		{"compact offset", "2026-11-26T01:08:02+0000", want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeTemp(t, "t.json", []byte(`{"accessToken": "x", "expiresAt": "`+tt.expiresAt+`"}`))
			tok, err := ReadToken(p)
			if err != nil {
				t.Fatal(err)
			}
			if !tok.ExpiresAt.Equal(tt.want) || tok.ExpiresAt.Location() != time.UTC {
				t.Errorf("ExpiresAt = %v, want %v in UTC", tok.ExpiresAt, tt.want)
			}
		})
	}
}

// TestReadGoSDKFormat reads a token as aws-sdk-go-v2's ssocreds writes it on a
// refresh: json.Marshal of a map (sorted keys, \u003c-style escapes), a trailing
// newline, and fields it does not know kept.
func TestReadGoSDKFormat(t *testing.T) {
	t.Parallel()
	data := `{"accessToken":"fake-access-token","clientId":"fake-client-id","clientSecret":"fake-client-secret","expiresAt":"2026-11-26T01:08:02Z","refreshToken":"fake-refresh-token","region":"us-east-1","registrationExpiresAt":"2027-02-23T17:07:56.000Z","startUrl":"https://example.awsapps.com/start?a=\u003cb\u003e\u0026c"}` + "\n"
	tok, err := ReadToken(writeTemp(t, "t.json", []byte(data)))
	if err != nil {
		t.Fatal(err)
	}
	want := &Token{
		StartURL: "https://example.awsapps.com/start?a=<b>&c", Region: "us-east-1", AccessToken: "fake-access-token",
		ExpiresAt: date("2026-11-26T01:08:02Z"), ClientID: "fake-client-id", ClientSecret: "fake-client-secret",
		RegistrationExpiresAt: date("2027-02-23T17:07:56Z"), RefreshToken: "fake-refresh-token",
	}
	if d := cmp.Diff(want, tok, cmpOpts); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-value"
	tests := []struct {
		name        string
		read        func(string) error
		data        string // "" with missing: no file
		missing     bool
		reason      string // substring of CorruptError.Reason
		invalidJSON bool
	}{
		{name: "token missing", read: readTok, missing: true},
		{name: "rolecreds missing", read: readRole, missing: true},
		{name: "registration missing", read: readReg, missing: true},
		{name: "empty", read: readTok, data: "", reason: "empty file", invalidJSON: true},
		{name: "not json", read: readTok, data: "accessToken=" + secret, reason: "expected a JSON object at byte 0", invalidJSON: true},
		{name: "array", read: readTok, data: `["` + secret + `"]`, reason: "expected a JSON object", invalidJSON: true},
		{name: "truncated", read: readTok, data: `{"accessToken": "` + secret, reason: "unterminated string", invalidJSON: true},
		{name: "trailing garbage", read: readTok, data: `{"accessToken": "` + secret + `", "expiresAt": "2026-11-26T01:08:02Z"}` + secret + `"}`, reason: "extra data", invalidJSON: true},
		{name: "trailing comma", read: readTok, data: `{"accessToken": "` + secret + `",}`, reason: "expected a string", invalidJSON: true},
		{name: "bad escape", read: readTok, data: `{"accessToken": "\x` + secret + `"}`, reason: "invalid escape", invalidJSON: true},
		{name: "control char", read: readTok, data: "{\"accessToken\": \"a\nb\"}", reason: "control character", invalidJSON: true},
		{name: "bom", read: readTok, data: "\ufeff{}", reason: "expected a JSON object", invalidJSON: true},
		{name: "no accessToken", read: readTok, data: `{"expiresAt": "2026-11-26T01:08:02Z"}`, reason: "missing accessToken"},
		{name: "null accessToken", read: readTok, data: `{"accessToken": null, "expiresAt": "2026-11-26T01:08:02Z"}`, reason: "missing accessToken"},
		{name: "no expiresAt", read: readTok, data: `{"accessToken": "` + secret + `"}`, reason: "missing expiresAt"},
		{name: "bad expiresAt", read: readTok, data: `{"accessToken": "x", "expiresAt": "` + secret + `"}`, reason: "expiresAt is not a date"},
		{name: "number token", read: readTok, data: `{"accessToken": 12, "expiresAt": "2026-11-26T01:08:02Z"}`, reason: "accessToken is not a string"},
		{name: "registration no secret", read: readReg, data: `{"clientId": "a", "expiresAt": "2026-11-26T01:08:02Z"}`, reason: "missing clientSecret"},
		{name: "registration bad scopes", read: readReg, data: `{"clientId": "a", "clientSecret": "b", "expiresAt": "2026-11-26T01:08:02Z", "scopes": [1]}`, reason: "scopes is not a list of strings"},
		{name: "registration broken scopes", read: readReg, data: `{"clientId": "a", "clientSecret": "b", "expiresAt": "2026-11-26T01:08:02Z", "scopes": ["a" "b"]}`, reason: "expected ',' or ']'", invalidJSON: true},
		{name: "rolecreds assume-role", read: readRole, data: `{"Credentials": {"AccessKeyId": "a", "SecretAccessKey": "b", "SessionToken": "c", "Expiration": "2026-11-26T01:08:02Z"}}`, reason: `ProviderType is not "sso"`},
		{name: "rolecreds no creds", read: readRole, data: `{"ProviderType": "sso"}`, reason: "missing Credentials"},
		{name: "rolecreds creds string", read: readRole, data: `{"ProviderType": "sso", "Credentials": "` + secret + `"}`, reason: "Credentials is not an object"},
		{name: "rolecreds no token", read: readRole, data: `{"ProviderType": "sso", "Credentials": {"AccessKeyId": "a", "SecretAccessKey": "` + secret + `", "Expiration": "2026-11-26T01:08:02Z"}}`, reason: "missing SessionToken"},
		{name: "rolecreds truncated", read: readRole, data: `{"ProviderType": "sso", "Credentials": {"AccessKeyId": "a"`, reason: "unexpected end of data", invalidJSON: true},
		{name: "rolecreds garbage", read: readRole, data: `{"ProviderType": "sso", "Credentials": {"AccessKeyId": "a", "SecretAccessKey": "b", "SessionToken": "c", "Expiration": "2026-11-26T01:08:02Z"}}}`, reason: "extra data", invalidJSON: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "f.json")
			if !tt.missing {
				if err := os.WriteFile(path, []byte(tt.data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := tt.read(path)
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error holds the file's contents: %q", strings.ReplaceAll(err.Error(), secret, "<secret>"))
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if tt.missing {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("error %q is not fs.ErrNotExist", err)
				}
				return
			}
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("error %q is not a *CorruptError", err)
			}
			if !strings.Contains(ce.Reason, tt.reason) || ce.InvalidJSON != tt.invalidJSON || ce.Path != path {
				t.Errorf("got %+v, want reason containing %q, InvalidJSON %v", *ce, tt.reason, tt.invalidJSON)
			}
		})
	}
}

func readTok(p string) error  { _, err := ReadToken(p); return err }
func readReg(p string) error  { _, err := ReadRegistration(p); return err }
func readRole(p string) error { _, err := ReadRoleCredentials(p); return err }

func TestReadDuplicateKeysLastWins(t *testing.T) {
	t.Parallel()
	p := writeTemp(t, "t.json", []byte(`{"accessToken": "a", "expiresAt": "2026-11-26T01:08:02Z", "x": 1, "accessToken": "b", "x": {"k": 1, "k": 2}}`))
	tok, err := ReadToken(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"accessToken": "b", "expiresAt": "2026-11-26T01:08:02Z", "x": {"k": 2}}`
	if d := diffBytes(tok.Marshal(), []byte(want)); d != "" {
		t.Error(d)
	}
}

func TestLogoutHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file         string
		wantToken    string
		wantRegion   string
		wantProvider string
	}{
		{"token-sso-session.json", "fake-access-token-1", "us-east-1", ""},
		{"registration-sso-session.json", "", "", ""},
		{"rolecreds-legacy.json", "", "", "sso"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join("testdata", "awscli", tt.file)
			tok, region, err := ReadLogoutInfo(p)
			if err != nil {
				t.Fatal(err)
			}
			if tok != tt.wantToken || region != tt.wantRegion {
				t.Errorf("ReadLogoutInfo = %s, %q; want %s, %q", redact(tok), region, redact(tt.wantToken), tt.wantRegion)
			}
			pt, err := ReadProviderType(p)
			if err != nil {
				t.Fatal(err)
			}
			if pt != tt.wantProvider {
				t.Errorf("ReadProviderType = %q, want %q", pt, tt.wantProvider)
			}
		})
	}
	var ce *CorruptError
	if _, _, err := ReadLogoutInfo(writeTemp(t, "x.json", []byte("{"))); !errors.As(err, &ce) {
		t.Errorf("ReadLogoutInfo on broken JSON: %v, want *CorruptError", err)
	}
}

func TestRegistrationKeepsUnknownKeys(t *testing.T) {
	t.Parallel()
	in := `{"clientId":"a","issuedAt":1764090482,"clientSecret":"b","expiresAt":"2027-02-23T17:07:56.000Z","grantTypes":null,"x":"\u00e9"}`
	r, err := ReadRegistration(writeTemp(t, "r.json", []byte(in)))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"clientId": "a", "clientSecret": "b", "expiresAt": "2027-02-23T17:07:56Z", "issuedAt": 1764090482, "x": "\u00e9"}`
	if d := diffBytes(r.Marshal(), []byte(want)); d != "" {
		t.Error(d)
	}
}
