package directory

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoadExampleIAM(t *testing.T) {
	t.Parallel()
	d, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, ok := d.Role("444455556666", "Deployer")
	if !ok {
		t.Fatal("role Deployer of Production is missing")
	}
	want := Role{Account: "444455556666", Name: "Deployer", MaxSessionDuration: 2 * time.Hour, ExternalID: "example-external-id",
		Trust: []Trust{
			{Kind: TrustPermissionSet, Account: "111122223333", Name: "AdministratorAccess"},
			{Kind: TrustUser, Name: "bob"},
			{Kind: TrustIAMUser, Account: "111122223333", Name: "deploy-bot"},
			{Kind: TrustRole, Account: "444455556666", Name: "Auditor"},
		}}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("Deployer (-want +got):\n%s", diff)
	}
	if r.ARN() != "arn:aws:iam::444455556666:role/Deployer" {
		t.Errorf("ARN = %s", r.ARN())
	}
	if a, _ := d.Role("444455556666", "Auditor"); !a.RequireMFA || a.MaxSessionDuration != time.Hour {
		t.Errorf("Auditor = %+v, want MFA required and the default 1h maximum", a)
	}
	u, secret, ok := d.AccessKey("AKIAIOSFODNN7EXAMPLE")
	if !ok || u.Name != "deploy-bot" || u.Account != "111122223333" || secret != "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" {
		t.Errorf("AccessKey = %+v, %v", u, ok)
	}
	if u.ARN() != "arn:aws:iam::111122223333:user/deploy-bot" {
		t.Errorf("user ARN = %s", u.ARN())
	}
	m, ok := d.MFADevice("arn:aws:iam::111122223333:mfa/deploy-bot-phone")
	if !ok || m.User != "deploy-bot" || m.Secret != "CPY7K24MBI4F7JIJPELNFUEVA7ALL7FR" {
		t.Errorf("MFADevice = %+v, %v", m, ok)
	}
	p, ok := d.OIDCProvider("444455556666", "https://token.example.com")
	if !ok || p.Algorithm() != "ES256" || p.SigningKey == nil || !cmp.Equal(p.Audiences, []string{"sts.amazonaws.com"}) {
		t.Errorf("OIDCProvider = %+v, %v", p, ok)
	}
	if p.ARN() != "arn:aws:iam::444455556666:oidc-provider/token.example.com" {
		t.Errorf("provider ARN = %s", p.ARN())
	}
	if _, ok := d.OIDCProvider("111122223333", "https://token.example.com"); ok {
		t.Error("a provider of Production is found in Development")
	}
	id := d.IAMRoleID("444455556666", "Deployer")
	if len(id) != 21 || !strings.HasPrefix(id, "AROA") || id == d.IAMRoleID("444455556666", "Auditor") || id != d.IAMRoleID("444455556666", "Deployer") {
		t.Errorf("IAMRoleID = %s: want a stable AROA id of 21 characters, different per role", id)
	}
	if uid := d.IAMUserID("111122223333", "deploy-bot"); len(uid) != 21 || !strings.HasPrefix(uid, "AIDA") {
		t.Errorf("IAMUserID = %s", uid)
	}
}

func TestRoleTrusts(t *testing.T) {
	t.Parallel()
	r := Role{Account: "444455556666", Name: "R", Trust: []Trust{
		{Kind: TrustPermissionSet, Account: "111122223333", Name: "Admin"},
		{Kind: TrustUser, Name: "bob"},
		{Kind: TrustIAMUser, Account: "111122223333", Name: "ci"},
		{Kind: TrustRole, Account: "444455556666", Name: "Other"},
		{Kind: TrustOIDCProvider, Account: "444455556666", Name: "https://token.example.com"},
	}}
	tests := []struct {
		name   string
		caller Caller
		want   bool
	}{
		{"permission set", Caller{Kind: TrustPermissionSet, Account: "111122223333", Name: "Admin", User: "alice"}, true},
		{"permission set in another account", Caller{Kind: TrustPermissionSet, Account: "444455556666", Name: "Admin", User: "alice"}, false},
		{"other permission set", Caller{Kind: TrustPermissionSet, Account: "111122223333", Name: "ReadOnly", User: "alice"}, false},
		{"trusted user through any permission set", Caller{Kind: TrustPermissionSet, Account: "777788889999", Name: "ReadOnly", User: "bob"}, true},
		{"trusted user's name as an IAM user", Caller{Kind: TrustIAMUser, Account: "111122223333", Name: "bob"}, false},
		// user: trusts the user's own IAM Identity Center credentials, not
		// the sessions of roles assumed from them.
		{"role session started by the trusted user", Caller{Kind: TrustRole, Account: "444455556666", Name: "Third", User: "bob"}, false},
		{"IAM user", Caller{Kind: TrustIAMUser, Account: "111122223333", Name: "ci"}, true},
		{"IAM user of another account", Caller{Kind: TrustIAMUser, Account: "444455556666", Name: "ci"}, false},
		{"role", Caller{Kind: TrustRole, Account: "444455556666", Name: "Other"}, true},
		{"role named like a permission set", Caller{Kind: TrustRole, Account: "111122223333", Name: "Admin"}, false},
		{"provider", Caller{Kind: TrustOIDCProvider, Account: "444455556666", Name: "https://token.example.com"}, true},
		{"other provider", Caller{Kind: TrustOIDCProvider, Account: "444455556666", Name: "https://other.example.com"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := r.Trusts(tt.caller); got != tt.want {
				t.Errorf("Trusts(%+v) = %v, want %v", tt.caller, got, tt.want)
			}
		})
	}
}

// iamBase is a directory preamble of 8 lines; the tests' lines follow it.
const iamBase = "users:\n  a:\n    password: x\npermissionSets:\n  P: {}\naccounts:\n  - id: \"111122223333\"\n    name: Dev\n"

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+pad) + "\n"
}

func pemKey(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestLoadIAMErrors(t *testing.T) {
	t.Parallel()
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)
	provider := func(key string) string {
		return "    oidcProviders:\n      - url: https://token.example.com\n        audiences: [sts.amazonaws.com]\n        signingKey: |\n" + indent(key, 10)
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"typo in account key", "    role:\n      R: {}\n",
			`directory.yaml:9: unknown key "role" in account #1; did you mean "roles"?`},
		{"bad access key id", "    iamUsers:\n      ci:\n        accessKeys:\n          - id: AKIA123\n            secret: 0123456789abcdef0123\n",
			`directory.yaml:12: IAM user "ci": access key id "AKIA123" must be AKIA and 16 upper-case letters or digits, e.g. AKIAIOSFODNN7EXAMPLE`},
		{"short secret", "    iamUsers:\n      ci:\n        accessKeys:\n          - id: AKIAIOSFODNN7EXAMPLE\n            secret: short\n",
			`directory.yaml:13: IAM user "ci": the secret of access key AKIAIOSFODNN7EXAMPLE must be 16-128 characters without spaces`},
		{"duplicate access key", "    iamUsers:\n      ci:\n        accessKeys:\n          - {id: AKIAIOSFODNN7EXAMPLE, secret: 0123456789abcdef0123}\n      cd:\n        accessKeys:\n          - {id: AKIAIOSFODNN7EXAMPLE, secret: 0123456789abcdef0123}\n",
			`directory.yaml:15: access key AKIAIOSFODNN7EXAMPLE is defined twice; every access key id must be unique`},
		{"bad user name", "    iamUsers:\n      \"a b\": {}\n",
			`directory.yaml:10: IAM user name "a b" must be 1-64 characters of letters, digits and +=,.@_-`},
		{"MFA secret not base32", "    mfaDevices:\n      phone:\n        secret: not-base32!\n",
			`directory.yaml:11: MFA device "phone": secret must be base32 (letters A-Z and digits 2-7), e.g. the Base32StringSeed IAM shows`},
		{"MFA secret too short", "    mfaDevices:\n      phone:\n        secret: JBSWY3DPEHPK3PXP\n",
			`directory.yaml:11: MFA device "phone": secret is 80 bits; a TOTP secret needs at least 128 (26 base32 characters)`},
		{"MFA without secret", "    mfaDevices:\n      phone: {}\n",
			`directory.yaml:10: MFA device "phone" has no secret; add a line "secret: <base32>" (at least 26 base32 characters)`},
		{"MFA of unknown user", "    mfaDevices:\n      phone:\n        secret: CPY7K24MBI4F7JIJPELNFUEVA7ALL7FR\n        user: ci\n",
			`directory.yaml:12: MFA device "phone" is assigned to unknown IAM user "ci"; define it under iamUsers: of the same account`},
		{"provider over http", "    oidcProviders:\n      - url: http://token.example.com\n",
			`directory.yaml:10: OIDC provider url "http://token.example.com" must be an https URL without a query, fragment or final slash, e.g. https://token.example.com`},
		{"provider without audiences", "    oidcProviders:\n      - url: https://token.example.com\n",
			`directory.yaml:10: OIDC provider #1 of account Dev has no audiences:; list the aud values its tokens carry, e.g. [sts.amazonaws.com]`},
		{"provider without key", "    oidcProviders:\n      - url: https://token.example.com\n        audiences: [x]\n",
			`directory.yaml:10: OIDC provider #1 of account Dev has no signingKey:; give a PEM private key (RSA for RS256, EC P-256 for ES256) or its public key`},
		{"provider key not PEM", provider("nope"),
			`directory.yaml:12: OIDC provider #1 of account Dev: signingKey must be one PEM block (-----BEGIN PRIVATE KEY----- or -----BEGIN PUBLIC KEY-----)`},
		{"provider key on P-384", provider(pemKey(t, p384)),
			`directory.yaml:12: OIDC provider #1 of account Dev: signingKey: the ECDSA key must be on P-256 (ES256)`},
		{"provider key RSA 1024", provider(pemKey(t, weak)),
			`directory.yaml:12: OIDC provider #1 of account Dev: signingKey: the RSA key has 1024 bits; use at least 2048`},
		{"role trusts nobody", "    roles:\n      R: {}\n",
			`directory.yaml:10: role "R" trusts nobody; add a trust: list (permissionSet:, user:, iamUser:, role: or oidcProvider: entries)`},
		{"role duration too long", "    roles:\n      R:\n        maxSessionDuration: 50000\n        trust: [{user: a}]\n",
			`directory.yaml:11: maxSessionDuration "50000" of role "R" must be seconds from 3600 to 43200, or a duration from 1h to 12h, e.g. 7200 or 2h`},
		{"role duration too short", "    roles:\n      R:\n        maxSessionDuration: 15m\n        trust: [{user: a}]\n",
			`directory.yaml:11: maxSessionDuration "15m" of role "R" must be seconds from 3600 to 43200, or a duration from 1h to 12h, e.g. 7200 or 2h`},
		{"bad external id", "    roles:\n      R:\n        externalId: \"has space\"\n        trust: [{user: a}]\n",
			`directory.yaml:11: role "R": externalId "has space" must be 2-1224 characters of letters, digits and +=,.@:/_-`},
		{"requireMfa not a bool", "    roles:\n      R:\n        requireMfa: sometimes\n        trust: [{user: a}]\n",
			`directory.yaml:11: requireMfa of role "R" must be true or false`},
		{"trust names two principals", "    roles:\n      R:\n        trust:\n          - {user: a, role: R}\n",
			`directory.yaml:12: trust entry #1 of role "R" names both user: and role:; give one principal per entry`},
		{"trust names none", "    roles:\n      R:\n        trust:\n          - {account: Dev}\n",
			`directory.yaml:12: trust entry #1 of role "R" names no principal; give one of permissionSet:, user:, iamUser:, role: or oidcProvider:`},
		{"trust unknown permission set", "    roles:\n      R:\n        trust:\n          - permissionSet: Admin\n",
			`directory.yaml:12: trust entry #1 of role "R" names unknown permission set "Admin"; define it under permissionSets:`},
		{"trust unknown user", "    roles:\n      R:\n        trust:\n          - user: carol\n",
			`directory.yaml:12: trust entry #1 of role "R" names unknown user "carol"; define it under users:`},
		{"trust unknown account", "    roles:\n      R:\n        trust:\n          - permissionSet: P\n            account: Prod\n",
			`directory.yaml:13: trust entry #1 of role "R" names unknown account "Prod"; define it under accounts:`},
		{"trust user with account", "    roles:\n      R:\n        trust:\n          - user: a\n            account: Dev\n",
			`directory.yaml:13: trust entry #1 of role "R": account: does not apply to a user: entry; remove it`},
		{"trust unknown IAM user", "    roles:\n      R:\n        trust:\n          - iamUser: ci\n",
			`directory.yaml:12: trust entry #1 of role "R" names unknown IAM user "ci" of account 111122223333; define it under that account's iamUsers:`},
		{"trust unknown role", "    roles:\n      R:\n        trust:\n          - role: S\n",
			`directory.yaml:12: trust entry #1 of role "R" names unknown role "S" of account 111122223333; define it under that account's roles:`},
		{"trust unknown provider", "    roles:\n      R:\n        trust:\n          - oidcProvider: https://token.example.com\n",
			`directory.yaml:12: trust entry #1 of role "R" names OIDC provider "https://token.example.com", which account Dev does not have; define it under its oidcProviders:`},
		{"trust a role defined later, in another account", "    roles:\n      R:\n        trust:\n          - role: S\n            account: \"444455556666\"\n  - id: \"444455556666\"\n    roles:\n      S:\n        trust: [{permissionSet: P, account: Dev}]\n",
			``},
		{"valid provider", provider(pemKey(t, ec)), ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("directory.yaml", []byte(iamBase+tt.yaml))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidateIAM checks what Validate refuses in a directory built in Go,
// where there are no lines to name.
func TestValidateIAM(t *testing.T) {
	t.Parallel()
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	base := func() *Directory {
		return &Directory{
			Users:          []User{{Name: "a", Password: "x"}},
			Accounts:       []Account{{ID: "111122223333"}},
			PermissionSets: []PermissionSet{{Name: "P", SessionDuration: time.Hour}},
			IAMUsers:       []IAMUser{{Account: "111122223333", Name: "ci", AccessKeys: []AccessKey{{ID: "AKIAIOSFODNN7EXAMPLE", Secret: "0123456789abcdef0123"}}}},
			MFADevices:     []MFADevice{{Account: "111122223333", Name: "phone", Secret: "CPY7K24MBI4F7JIJPELNFUEVA7ALL7FR", User: "ci"}},
			OIDCProviders:  []OIDCProvider{{Account: "111122223333", URL: "https://token.example.com", Audiences: []string{"x"}, PublicKey: &ec.PublicKey}},
			Roles: []Role{{Account: "111122223333", Name: "R", Trust: []Trust{
				{Kind: TrustPermissionSet, Account: "111122223333", Name: "P"},
				{Kind: TrustOIDCProvider, Account: "111122223333", Name: "https://token.example.com"},
			}}},
		}
	}
	tests := []struct {
		name   string
		change func(d *Directory)
		want   string
	}{
		{"valid", func(*Directory) {}, ""},
		{"role in unknown account", func(d *Directory) { d.Roles[0].Account = "999999999999" }, `role "R" is in unknown account "999999999999"`},
		{"role defined twice", func(d *Directory) { d.Roles = append(d.Roles, d.Roles[0]) }, `role "R" is defined twice in account 111122223333`},
		{"duration above 12h", func(d *Directory) { d.Roles[0].MaxSessionDuration = 13 * time.Hour },
			`role "R": maxSessionDuration 13h0m0s must be whole seconds from 1h (3600) to 12h (43200), as IAM allows`},
		{"trust of unknown permission set", func(d *Directory) { d.Roles[0].Trust[0].Name = "Q" }, `trust entry #1 of role "R" names unknown permission set "Q"`},
		{"trust of another account's provider", func(d *Directory) {
			d.Accounts = append(d.Accounts, Account{ID: "444455556666"})
			other := d.OIDCProviders[0]
			other.Account = "444455556666"
			d.OIDCProviders = append(d.OIDCProviders, other)
			d.Roles[0].Trust[1].Account = "444455556666"
		},
			`trust entry #2 of role "R" names OIDC provider "https://token.example.com", which is not in the role's account 111122223333`},
		{"trust without kind", func(d *Directory) { d.Roles[0].Trust[0].Kind = 0 }, `trust entry #1 of role "R" has no kind`},
		{"provider without key", func(d *Directory) { d.OIDCProviders[0].PublicKey = nil }, `OIDC provider "https://token.example.com" has no key`},
		{"device with a secret that is not base32", func(d *Directory) { d.MFADevices[0].Secret = "0000000000000000000000000000" },
			`MFA device "phone": secret must be base32 (letters A-Z and digits 2-7), e.g. the Base32StringSeed IAM shows`},
		{"device of unknown user", func(d *Directory) { d.MFADevices[0].User = "cd" },
			`MFA device "phone" is assigned to unknown IAM user "cd" of account 111122223333`},
		{"duplicate key", func(d *Directory) {
			d.IAMUsers = append(d.IAMUsers, IAMUser{Account: "111122223333", Name: "cd", AccessKeys: d.IAMUsers[0].AccessKeys})
		}, `access key AKIAIOSFODNN7EXAMPLE is defined twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := base()
			tt.change(d)
			got := ""
			if err := d.Validate(); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
			if tt.want == "" && d.Roles[0].MaxSessionDuration != DefaultMaxSessionDuration {
				t.Errorf("MaxSessionDuration = %s, want the default %s", d.Roles[0].MaxSessionDuration, DefaultMaxSessionDuration)
			}
		})
	}
}

// TestDemoIAM checks the IAM side of the demo directory that `ssocli demo`
// and the docs rely on.
func TestDemoIAM(t *testing.T) {
	t.Parallel()
	d := Demo()
	r, ok := d.Role(DemoProdAccount, DemoCrossAccountRole)
	if !ok {
		t.Fatal("the demo has no cross-account role")
	}
	for _, c := range []struct {
		caller Caller
		want   bool
	}{
		{Caller{Kind: TrustPermissionSet, Account: DemoDevAccount, Name: "AdministratorAccess", User: "alice"}, true},
		{Caller{Kind: TrustPermissionSet, Account: DemoDevAccount, Name: "ReadOnly", User: "bob"}, false},
		{Caller{Kind: TrustIAMUser, Account: DemoDevAccount, Name: DemoIAMUser}, true},
	} {
		if got := r.Trusts(c.caller); got != c.want {
			t.Errorf("Deployer trusts %+v = %v, want %v", c.caller, got, c.want)
		}
	}
	if u, secret, ok := d.AccessKey(DemoAccessKeyID); !ok || u.Name != DemoIAMUser || secret != DemoSecretAccessKey {
		t.Errorf("AccessKey(%s) = %+v, %v", DemoAccessKeyID, u, ok)
	}
	if m, ok := d.MFADevice(DemoMFASerial); !ok || m.User != DemoIAMUser || m.Secret != DemoMFASecret {
		t.Errorf("MFADevice(%s) = %+v, %v", DemoMFASerial, m, ok)
	}
	if a, ok := d.Role(DemoProdAccount, DemoMFARole); !ok || !a.RequireMFA {
		t.Errorf("Auditor = %+v, %v; want a role that requires MFA", a, ok)
	}
}
