package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// Names a hostile or compromised directory could hand out (S6): a window
// title change and a colour in the account name, erasing and moving the
// cursor in its email (role names are IAM names, which the server checks).
const (
	hostileAccount = "\x1b]0;title\a\x1b[31mProd"
	hostileEmail   = "ops\x1b[2K\x1b[1A@example.com"
)

// hostileDirectory has two accounts with two roles each, the first named
// hostileAccount with the address hostileEmail.
func hostileDirectory(t *testing.T) *directory.Directory {
	t.Helper()
	d := directory.Generate(2, 2)
	d.Accounts[0].Name = hostileAccount
	d.Accounts[0].Email = hostileEmail
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	return d
}

// terminalSafe reports the first control character in s that a terminal
// would act on (newline and tab are layout), or -1.
func terminalSafe(s string) rune {
	for _, r := range s {
		if r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f) {
			return r
		}
	}
	return -1
}

// TestServerNamesAreSafeToPrint: names from the server reach the terminal
// with their control characters replaced, in every table, text output and
// prompt; JSON output keeps the exact values, escaped.
func TestServerNamesAreSafeToPrint(t *testing.T) {
	t.Parallel()
	h := newHarness(t, idctest.WithDirectory(hostileDirectory(t)))
	h.writeConfig(strings.NewReplacer("START", h.srv.StartURL, "REGION", h.srv.Region).Replace(
		"[sso-session corp]\nsso_start_url = START\nsso_region = REGION\n"))
	h.mustRun("sso", "login", "--sso-session", "corp", "--use-device-code")

	for _, args := range [][]string{
		{"sso", "list-accounts", "--sso-session", "corp", "--output", "text"},
		{"sso", "list-accounts", "--sso-session", "corp", "--output", "table"},
	} {
		out := h.mustRun(args...)
		if r := terminalSafe(out); r >= 0 {
			t.Errorf("%v printed the control character %U:\n%q", args, r, out)
		}
		if !strings.Contains(out, "\ufffd]0;title\ufffd\ufffd[31mProd") || !strings.Contains(out, "ops\ufffd[2K\ufffd[1A@example.com") {
			t.Errorf("%v does not show the names with U+FFFD for their controls:\n%q", args, out)
		}
	}

	// JSON keeps the exact names, escaped by the encoder.
	out := h.mustRun("sso", "list-accounts", "--sso-session", "corp")
	if r := terminalSafe(out); r >= 0 {
		t.Errorf("list-accounts printed the control character %U in JSON:\n%q", r, out)
	}
	var v struct {
		AccountList []struct{ AccountName, EmailAddress string }
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.AccountList) != 2 {
		t.Fatalf("list-accounts JSON: %v\n%s", err, out)
	}
	if got := v.AccountList[0]; got.AccountName != hostileAccount || got.EmailAddress != hostileEmail {
		t.Errorf("JSON holds %q, %q; want the exact %q, %q", got.AccountName, got.EmailAddress, hostileAccount, hostileEmail)
	}

	// The wizard's account chooser (without a terminal, a numbered list).
	h.stdin = "1\n1\n"
	out, errs, code := h.run("configure", "sso", "--profile", "dev", "--sso-session", "corp", "--default-region", "eu-west-1", "--output-format", "json")
	if code != 0 {
		t.Fatalf("configure sso: exit %d\n%s%s", code, out, errs)
	}
	if r := terminalSafe(out + errs); r >= 0 {
		t.Errorf("configure sso printed the control character %U:\n%q", r, out)
	}
	for _, want := range []string{"1) \ufffd]0;title\ufffd\ufffd[31mProd, ops\ufffd[2K\ufffd[1A@example.com (100000000000)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("configure sso output lacks %q:\n%q", want, out)
		}
	}
}
