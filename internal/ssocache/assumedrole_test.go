package ssocache

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/testutil/require"
)

func strp(s string) *string { return &s }
func intp(i int) *int       { return &i }

// The names the AWS CLI 2.36.7 gave its assumed-role cache files
// (research/awscli-latest-diff.md §2) and 2.9.19 gave one here.
func TestAssumedRoleFileName(t *testing.T) {
	t.Parallel()
	const admin = "arn:aws:iam::111122223333:role/Admin"
	tests := []struct {
		name string
		key  AssumeRoleKey
		want string
	}{
		{"role only", AssumeRoleKey{RoleArn: admin}, "20d1c4c47209b5c6f6727fa999b7ec9c34fe8643.json"},
		{"every parameter", AssumeRoleKey{RoleArn: admin, RoleSessionName: "alice-cli", ExternalID: strp("ext-123"), DurationSeconds: intp(1800)},
			"91046b7251fb1504fa31c707e19ae92cdee43346.json"},
		{"mfa", AssumeRoleKey{RoleArn: admin, SerialNumber: strp("arn:aws:iam::111122223333:mfa/alice")}, "2a543d93817e19b3b6ebbf2f601ab7a3a551f725.json"},
		{"web identity session name", AssumeRoleKey{RoleArn: admin, RoleSessionName: "ci"}, "bb04c981b50ea0d93aef5a7d48535bfc3ce27c5b.json"},
		{"2.9.19 second hop", AssumeRoleKey{RoleArn: "arn:aws:iam::222233334444:role/Deploy"}, "3e250895b081421546d09f47a722203fe19f44de.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AssumedRoleFileName(tt.key); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestAssumedRoleFileNameOracle hashes odd inputs (an empty external id, a
// negative duration, non-ASCII, quotes) with Python's json.dumps and compares.
func TestAssumedRoleFileNameOracle(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		require.Missing(t, "python3 is not installed: "+err.Error())
		return
	}
	keys := []AssumeRoleKey{
		{RoleArn: "arn:aws:iam::1:role/r", ExternalID: strp("")},
		{RoleArn: "arn:aws:iam::1:role/r", DurationSeconds: intp(-5), SerialNumber: strp("")},
		{RoleArn: "arn:aws:iam::1:role/\u00e9\U0001F511\"\\\t", RoleSessionName: "s\u00e9ss", ExternalID: strp("x'y")},
	}
	var args []map[string]any
	for _, k := range keys {
		m := map[string]any{"RoleArn": k.RoleArn}
		if k.RoleSessionName != "" {
			m["RoleSessionName"] = k.RoleSessionName
		}
		if k.ExternalID != nil {
			m["ExternalId"] = *k.ExternalID
		}
		if k.SerialNumber != nil {
			m["SerialNumber"] = *k.SerialNumber
		}
		if k.DurationSeconds != nil {
			m["DurationSeconds"] = *k.DurationSeconds
		}
		args = append(args, m)
	}
	in, _ := json.Marshal(args)
	cmd := exec.Command(py, "-c", `import sys, json, hashlib
for a in json.load(sys.stdin):
    print(hashlib.sha1(json.dumps(a, sort_keys=True).encode("utf-8")).hexdigest() + ".json")`)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	want := strings.Fields(string(out))
	for i, k := range keys {
		if got := AssumedRoleFileName(k); i >= len(want) || got != want[i] {
			t.Errorf("key %d: got %s, want %v", i, got, want)
		}
	}
}

// TestAssumedRoleMarshal writes the answer the AWS CLI 2.9.19 cached (its
// bytes are testdata/awscli/assumed-role-2.9.19.json) and must get its bytes.
func TestAssumedRoleMarshal(t *testing.T) {
	t.Parallel()
	const reqID = "11111111-2222-3333-4444-555555555555"
	a := &AssumedRole{
		AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "token",
		Expiration: time.Date(2026, 12, 2, 1, 55, 56, 0, time.UTC),
		Rest: []Field{
			{"AssumedRoleUser", []Field{{"AssumedRoleId", "AROAEXAMPLE:sess"}, {"Arn", "arn:aws:sts::222233334444:assumed-role/Deploy/sess"}}},
			{"PackedPolicySize", 6},
			{"ResponseMetadata", []Field{{"RequestId", reqID}, {"HTTPStatusCode", 200}, {"HTTPHeaders", []Field{
				{"content-type", "text/xml"}, {"x-amzn-requestid", reqID}, {"date", "Wed, 02 Dec 2026 00:55:56 GMT"}, {"content-length", "675"},
			}}, {"RetryAttempts", 0}}},
		},
	}
	want := string(readTestdata(t, "awscli/assumed-role-2.9.19.json"))
	if diff := cmp.Diff(want, string(a.Marshal())); diff != "" {
		t.Errorf("bytes (-2.9.19 +ours):\n%s", diff)
	}
	// 2.36.7 adds AccountId last in Credentials.
	a.AccountID = "222233334444"
	if got := string(a.Marshal()); !strings.HasPrefix(got, `{"Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "secret", "SessionToken": "token", "Expiration": "2026-12-02T01:55:56+00:00", "AccountId": "222233334444"}, "AssumedRoleUser"`) {
		t.Errorf("with AccountId: %s", got)
	}
}

func TestReadAssumedRole(t *testing.T) {
	t.Parallel()
	exp := time.Date(2026, 12, 2, 1, 55, 56, 0, time.UTC)
	tests := []struct {
		name    string
		data    string
		want    *AssumedRole
		corrupt bool
	}{
		{name: "written by 2.9.19", data: string(readTestdata(t, "awscli/assumed-role-2.9.19.json")),
			want: &AssumedRole{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "token", Expiration: exp}},
		{name: "2.36.7 with AccountId", data: `{"Credentials": {"AccessKeyId": "a", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2026-12-02T01:55:56+00:00", "AccountId": "222233334444"}}`,
			want: &AssumedRole{AccessKeyID: "a", SecretAccessKey: "s", SessionToken: "t", Expiration: exp, AccountID: "222233334444"}},
		{name: "standalone botocore strftime UTC", data: `{"Credentials": {"AccessKeyId": "a", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2026-12-02T01:55:56UTC"}}`,
			want: &AssumedRole{AccessKeyID: "a", SecretAccessKey: "s", SessionToken: "t", Expiration: exp}},
		{name: "an SSO entry is not ours", data: `{"ProviderType": "sso", "Credentials": {"AccessKeyId": "a", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2026-12-02T01:55:56Z"}}`, corrupt: true},
		{name: "no expiration", data: `{"Credentials": {"AccessKeyId": "a", "SecretAccessKey": "s", "SessionToken": "t"}}`, corrupt: true},
		{name: "truncated", data: `{"Credentials": {"AccessKeyId": "a", "Secret`, corrupt: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "x.json", []byte(tt.data))
			got, err := ReadAssumedRole(path)
			var ce *CorruptError
			if tt.corrupt {
				if !errors.As(err, &ce) {
					t.Fatalf("got %v, %v; want a *CorruptError", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestAssumedRoleRoundTrip: what we write, we read back, to the second.
func TestAssumedRoleRoundTrip(t *testing.T) {
	t.Parallel()
	a := &AssumedRole{AccessKeyID: "a", SecretAccessKey: "s\u00e9", SessionToken: "t", Expiration: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), AccountID: "1"}
	path := writeTemp(t, "x.json", nil)
	if err := WriteAssumedRole(path, a); err != nil {
		t.Fatal(err)
	}
	got, err := ReadAssumedRole(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("(-wrote +read):\n%s", diff)
	}
}
