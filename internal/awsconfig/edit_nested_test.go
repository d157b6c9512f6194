package awsconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nestedCases are SetNested calls with the bytes they must give; those
// marked awscli are also run through the AWS CLI's ConfigFileWriter by
// TestSetNestedMatchesAWSCLI (the others are the documented differences).
var nestedCases = []struct {
	name                     string
	input                    string
	section, key, sub, value string
	want                     string
	awscli                   bool
}{
	{
		name:    "rewrite a sub-key, keeping its indent",
		input:   "[default]\ns3 =\n  max_concurrent_requests = 20\n  multipart_threshold = 8MB\nregion = x\n",
		section: "default", key: "s3", sub: "max_concurrent_requests", value: "5",
		want:   "[default]\ns3 =\n  max_concurrent_requests = 5\n  multipart_threshold = 8MB\nregion = x\n",
		awscli: true,
	},
	{
		name:    "new sub-key before the next option",
		input:   "# c\n[default]\ns3 =\n    max_concurrent_requests = 20\nregion = x\n\n[profile b]\nk = v\n",
		section: "default", key: "s3", sub: "multipart_threshold", value: "64MB",
		want:   "# c\n[default]\ns3 =\n    max_concurrent_requests = 20\n    multipart_threshold = 64MB\nregion = x\n\n[profile b]\nk = v\n",
		awscli: true,
	},
	{
		name:    "new sub-key before the next section",
		input:   "[profile a]\ns3 =\n  addressing_style = path\n[profile b]\n",
		section: "profile a", key: "s3", sub: "use_accelerate_endpoint", value: "true",
		want:   "[profile a]\ns3 =\n  addressing_style = path\n    use_accelerate_endpoint = true\n[profile b]\n",
		awscli: true,
	},
	{
		name:    "sub-section at the end of the file",
		input:   "[default]\nregion = x\ns3 =\n    a = 1\n",
		section: "default", key: "s3", sub: "b", value: "2",
		want:   "[default]\nregion = x\ns3 =\n    a = 1\n    b = 2\n",
		awscli: true,
	},
	{
		name:    "missing key after the last option",
		input:   "[default]\nregion = x\n# note\n\n[profile dev]\nregion = y\n",
		section: "default", key: "s3", sub: "max_concurrent_requests", value: "10",
		want:   "[default]\nregion = x\ns3 =\n    max_concurrent_requests = 10\n# note\n\n[profile dev]\nregion = y\n",
		awscli: true,
	},
	{
		name:    "missing key in the last section",
		input:   "[default]\nregion = x\n\n[profile dev]\nregion = y\n",
		section: "profile dev", key: "s3", sub: "max_concurrent_requests", value: "10",
		want:   "[default]\nregion = x\n\n[profile dev]\nregion = y\ns3 =\n    max_concurrent_requests = 10\n",
		awscli: true,
	},
	{
		name:    "missing section",
		input:   "[default]\nregion = x",
		section: "services local", key: "sso_oidc", sub: "endpoint_url", value: "http://127.0.0.1:8080",
		want:   "[default]\nregion = x\n[services local]\nsso_oidc =\n    endpoint_url = http://127.0.0.1:8080\n",
		awscli: true,
	},
	{
		name:    "new file",
		section: "default", key: "s3", sub: "max_concurrent_requests", value: "10",
		want:   "[default]\ns3 =\n    max_concurrent_requests = 10\n",
		awscli: true,
	},
	{
		name:    "services sub-section with comments",
		input:   "[services local]\n# endpoints\nsso_oidc =\n  # the local IdC\n  endpoint_url = http://127.0.0.1:8080\nsso =\n  endpoint_url = http://127.0.0.1:8080\n",
		section: "services local", key: "sso", sub: "endpoint_url", value: "http://127.0.0.1:9090",
		want:   "[services local]\n# endpoints\nsso_oidc =\n  # the local IdC\n  endpoint_url = http://127.0.0.1:8080\nsso =\n  endpoint_url = http://127.0.0.1:9090\n",
		awscli: true,
	},
	{
		name:    "sub-key case is kept and matched exactly",
		input:   "[default]\ns3 =\n  Addressing_Style = path\n",
		section: "default", key: "s3", sub: "addressing_style", value: "virtual",
		want:   "[default]\ns3 =\n  Addressing_Style = path\n    addressing_style = virtual\n",
		awscli: true,
	},
	// The documented differences from the AWS CLI.
	{
		name:    "a top-level option of the sub-key's name is not rewritten",
		input:   "[default]\ns3 =\n  a = 1\nregion = us-east-1\n",
		section: "default", key: "s3", sub: "region", value: "x",
		want: "[default]\ns3 =\n  a = 1\n    region = x\nregion = us-east-1\n",
	},
	{
		name:    "parent key matches case-insensitively",
		input:   "[default]\nS3 =\n  a = 1\n",
		section: "default", key: "s3", sub: "b", value: "2",
		want: "[default]\nS3 =\n  a = 1\n    b = 2\n",
	},
	{
		name:    "blank line right after the key",
		input:   "[default]\ns3 =\n\n  a = 1\n[profile x]\n",
		section: "default", key: "s3", sub: "b", value: "2",
		want: "[default]\ns3 =\n\n  a = 1\n    b = 2\n[profile x]\n",
	},
	{
		name:    "key on the last line without a newline",
		input:   "[default]\ns3 =",
		section: "default", key: "s3", sub: "a", value: "1",
		want: "[default]\ns3 =\n    a = 1\n",
	},
	{
		name:    "CRLF kept",
		input:   "[default]\r\ns3 =\r\n  a = 1\r\nregion = x\r\n",
		section: "default", key: "s3", sub: "a", value: "2",
		want: "[default]\r\ns3 =\r\n  a = 2\r\nregion = x\r\n",
	},
}

func applyNested(t *testing.T, input, section, key, sub, value string) string {
	t.Helper()
	d, err := ParseDocument([]byte(input))
	if err != nil {
		t.Fatalf("ParseDocument: %v", err)
	}
	if err := d.SetNested(section, key, sub, value); err != nil {
		t.Fatalf("SetNested: %v", err)
	}
	return string(d.Bytes())
}

func TestSetNested(t *testing.T) {
	t.Parallel()
	for _, tt := range nestedCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := applyNested(t, tt.input, tt.section, tt.key, tt.sub, tt.value)
			want := tt.want
			if tt.input == "" {
				want = strings.ReplaceAll(want, "\n", LineEnding(nil))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("edited file (-want +got):\n%s", diff)
			}
			c, err := Parse([]byte(got), nil, "config")
			if err != nil {
				t.Fatalf("edited file does not parse: %v", err)
			}
			// botocore reads the value back where it was set.
			var s Section
			switch {
			case strings.HasPrefix(tt.section, "services "):
				s, _ = c.Services(strings.TrimPrefix(tt.section, "services "))
			default:
				s, _ = c.Profile(strings.TrimPrefix(tt.section, "profile "))
			}
			if v := s.Sub[strings.ToLower(tt.key)][tt.sub]; v != tt.value {
				t.Errorf("%s.%s reads back as %q, want %q", tt.key, tt.sub, v, tt.value)
			}
		})
	}
}

func TestSetNestedRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ key, sub, value, part string }{
		{"s3", "a", "x\ny", "value"},
		{"s3", "a\rb", "x", "key"},
		{"s\n3", "a", "x", "key"},
		{"s3", "a=b", "x", "key"},
	} {
		in := "[default]\nregion = x\n"
		d, err := ParseDocument([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		err = d.SetNested("default", tt.key, tt.sub, tt.value)
		var u *UnsafeEntryError
		if !errors.As(err, &u) || u.Part != tt.part {
			t.Errorf("SetNested(%q, %q, %q): %v, want an UnsafeEntryError for the %s", tt.key, tt.sub, tt.value, err, tt.part)
			continue
		}
		if strings.Contains(err.Error(), tt.value) && tt.part == "value" {
			t.Errorf("the error quotes the value: %v", err)
		}
		if tt.part == "value" && !strings.Contains(err.Error(), tt.key+"."+tt.sub) {
			t.Errorf("the error does not name %s.%s: %v", tt.key, tt.sub, err)
		}
		if got := string(d.Bytes()); got != in {
			t.Errorf("the document changed: %q", got)
		}
	}
}

// TestSetNestedMatchesAWSCLI runs the AWS CLI's ConfigFileWriter (Debian's
// awscli 2.9.19) on the awscli cases, with the value as the nested dict that
// `aws configure set s3.x v` hands it.
func TestSetNestedMatchesAWSCLI(t *testing.T) {
	var cases []writerCase
	for _, tt := range nestedCases {
		if !tt.awscli {
			continue
		}
		c := writerCase{Ops: [][2]any{{tt.section, [][2]any{{tt.key, map[string]string{tt.sub: tt.value}}}}}}
		if tt.input != "" {
			c.Input = &tt.input
		}
		cases = append(cases, c)
	}
	awscli := runWriterOracle(t, cases)
	i := 0
	for _, tt := range nestedCases {
		if !tt.awscli {
			continue
		}
		got := applyNested(t, tt.input, tt.section, tt.key, tt.sub, tt.value)
		if diff := cmp.Diff(awscli[i], got); diff != "" {
			t.Errorf("%s: differs from the AWS CLI (-awscli +ours):\n%s", tt.name, diff)
		}
		i++
	}
}
