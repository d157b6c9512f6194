package awsconfig

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testBlock(want []BlockProfile, prune bool) Block {
	return Block{
		Begin: "# BEGIN ssocli populate s", End: "# END ssocli populate s",
		Comment:  []string{"# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced."},
		Profiles: want, Prune: prune,
	}
}

func TestReplaceBlock(t *testing.T) {
	t.Parallel()
	kv := func(acct, role string) []KeyValue {
		return []KeyValue{{Key: "sso_session", Value: "s"}, {Key: "sso_account_id", Value: acct}, {Key: "sso_role_name", Value: role}}
	}
	want := []BlockProfile{{"b", kv("2", "R")}, {"a", kv("1", "R")}}
	for _, tc := range []struct {
		name, old, want string
		prune           bool
	}{
		{"new file", "", "# BEGIN ssocli populate s\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\n[profile a]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n\n[profile b]\nsso_session = s\nsso_account_id = 2\nsso_role_name = R\n# END ssocli populate s\n", false},
		{"appended after a file without final newline", "[default]\nregion = x", "[default]\nregion = x\n\n# BEGIN ssocli populate s\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\n[profile a]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n\n[profile b]\nsso_session = s\nsso_account_id = 2\nsso_role_name = R\n# END ssocli populate s\n", false},
		{"block updated in place, user key and stale profile kept", "[top]\n# BEGIN ssocli populate s\n[profile a]\nsso_account_id = 1\noutput = json\n[profile gone]\nsso_session = s\n# END ssocli populate s\n[tail]\n",
			"[top]\n# BEGIN ssocli populate s\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\n[profile a]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\noutput = json\n\n[profile b]\nsso_session = s\nsso_account_id = 2\nsso_role_name = R\n\n[profile gone]\nsso_session = s\n# END ssocli populate s\n[tail]\n", false},
		{"prune", "[top]\n# BEGIN ssocli populate s\n[profile gone]\nsso_session = s\n# END ssocli populate s\n",
			"[top]\n# BEGIN ssocli populate s\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\n[profile a]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n\n[profile b]\nsso_session = s\nsso_account_id = 2\nsso_role_name = R\n# END ssocli populate s\n", true},
		{"profile outside the block skipped", "[profile a]\nregion = x\n", "[profile a]\nregion = x\n\n# BEGIN ssocli populate s\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\n[profile b]\nsso_session = s\nsso_account_id = 2\nsso_role_name = R\n# END ssocli populate s\n", false},
		{"CRLF file: the block in CRLF", "[profile a]\r\nregion = x", "[profile a]\r\nregion = x\r\n\r\n# BEGIN ssocli populate s\r\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\r\n[profile b]\r\nsso_session = s\r\nsso_account_id = 2\r\nsso_role_name = R\r\n# END ssocli populate s\r\n", false},
		{"CRLF block rewritten in CRLF", "[top]\r\n\r\n# BEGIN ssocli populate s\r\n[profile gone]\r\n# END ssocli populate s\r\n[tail]\r\n", "[top]\r\n\r\n# BEGIN ssocli populate s\r\n# Written by ssocli configure populate --sso-session s; edits between these lines may be replaced.\r\n[profile a]\r\nsso_session = s\r\nsso_account_id = 1\r\nsso_role_name = R\r\n\r\n[profile b]\r\nsso_session = s\r\nsso_account_id = 2\r\nsso_role_name = R\r\n# END ssocli populate s\r\n[tail]\r\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := ParseDocument([]byte(tc.old))
			if err != nil {
				t.Fatal(err)
			}
			if tc.old == "" {
				// A new file has the system's line endings (CRLF on Windows).
				tc.want = strings.ReplaceAll(tc.want, "\n", LineEnding(nil))
			}
			if _, err := d.ReplaceBlock(testBlock(want, tc.prune)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(d.Bytes())); diff != "" {
				t.Errorf("ReplaceBlock (-want +got):\n%s", diff)
			}
		})
	}
}
