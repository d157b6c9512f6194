package awsconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostile is the adversarial run's S1 payload: a role name from a hostile
// portal that, written raw, adds a credential_process line.
const hostile = "Admin\ncredential_process = /tmp/evil"

func TestUpdateRefusesUnsafeEntries(t *testing.T) {
	t.Parallel()
	const orig = "[default]\nregion = us-east-1\n"
	for _, tc := range []struct {
		name, section, key, value string
		wantPart, wantMsg         string
	}{
		{"LF in a value", "profile dev", "sso_role_name", hostile, "value", "sso_role_name of [profile dev]"},
		{"CR in a value", "profile dev", "sso_role_name", "Admin\rx", "value", "line break (U+000D)"},
		{"CRLF in a value", "profile dev", "sso_account_id", "1\r\n[default]", "value", "line break"},
		{"escape in a value", "profile dev", "sso_role_name", "a\x1b[31m", "value", "U+001B"},
		{"NUL in a value", "profile dev", "region", "a\x00", "value", "U+0000"},
		{"DEL in a value", "profile dev", "region", "a\x7f", "value", "U+007F"},
		{"NEL in a value", "profile dev", "region", "a\u0085b", "value", "U+0085"},
		{"line separator in a value", "profile dev", "region", "a\u2028b", "value", "U+2028"},
		{"invalid UTF-8 in a value", "profile dev", "region", "a\xffb", "value", "not UTF-8"},
		{"LF in a section name", "profile Admin\n[default]", "region", "x", "section name", `[profile Admin\n[default]]`},
		{"LF in a key", "profile dev", "a\nb", "x", "key", "line break"},
		{"tab in a key", "profile dev", "a\tb", "x", "key", "U+0009"},
		{"= in a key", "profile dev", "a=b", "x", "key", `'='`},
		{"[ at the start of a key", "profile dev", "[default]", "x", "key", `'['`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := ParseDocument([]byte(orig))
			if err != nil {
				t.Fatal(err)
			}
			err = d.Update(tc.section, []KeyValue{{"sso_session", "corp"}, {tc.key, tc.value}})
			var ue *UnsafeEntryError
			if !errors.As(err, &ue) {
				t.Fatalf("Update: %v, want *UnsafeEntryError", err)
			}
			if ue.Part != tc.wantPart || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q (part %q), want part %q and %q in the message", err, ue.Part, tc.wantPart, tc.wantMsg)
			}
			if tc.wantPart == "value" && strings.Contains(err.Error(), tc.value) {
				t.Errorf("the message quotes the value: %q", err)
			}
			if d := cmp.Diff(orig, string(d.Bytes())); d != "" {
				t.Errorf("the document changed (-want +got):\n%s", d)
			}
		})
	}
	t.Run("tabs and non-ASCII in values are fine", func(t *testing.T) {
		t.Parallel()
		d, _ := ParseDocument(nil)
		if err := d.Set(ProfileSection("개발 team"), "description", "a\tb Ünïcode"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestReplaceBlockRefusesHostileRole is populate's code path with the S1
// payload as a role name: nothing is written, and the error names the
// profile and the key but not the value.
func TestReplaceBlockRefusesHostileRole(t *testing.T) {
	t.Parallel()
	const orig = "[default]\nregion = us-east-1\n"
	d, err := ParseDocument([]byte(orig))
	if err != nil {
		t.Fatal(err)
	}
	want := []BlockProfile{
		{Name: "Dev-ReadOnly", Values: []KeyValue{{"sso_session", "s"}, {"sso_account_id", "111122223333"}, {"sso_role_name", "ReadOnly"}}},
		{Name: "Dev-Admin", Values: []KeyValue{{"sso_session", "s"}, {"sso_account_id", "111122223333"}, {"sso_role_name", hostile}}},
	}
	_, err = d.ReplaceBlock(testBlock(want, false))
	var ue *UnsafeEntryError
	if !errors.As(err, &ue) {
		t.Fatalf("ReplaceBlock: %v, want *UnsafeEntryError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "sso_role_name of [profile Dev-Admin]") || strings.Contains(msg, "evil") {
		t.Errorf("message %q: want the profile and the key, not the value", msg)
	}
	if got := string(d.Bytes()); got != orig {
		t.Errorf("the document changed:\n%s", got)
	}
	// A hostile marker line is refused too.
	b := testBlock(want[:1], false)
	b.Comment = []string{"# x\n[default]"}
	if _, err := d.ReplaceBlock(b); !errors.As(err, &ue) {
		t.Errorf("ReplaceBlock with a line break in a comment: %v", err)
	}
}
