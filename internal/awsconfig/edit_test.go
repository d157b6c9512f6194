package awsconfig

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ssocli/ssocli/internal/testutil/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/edit")

// editOp is one Update (or DeleteSection when del is set).
type editOp struct {
	section string
	values  []KeyValue
	del     bool
}

// editCases are applied by TestDocumentGolden; those marked awscli are also run
// through the AWS CLI's own writer by TestDocumentMatchesAWSCLI.
var editCases = []struct {
	name   string
	input  string
	ops    []editOp
	awscli bool // the AWS CLI writes the same bytes
}{
	{
		name: "comments-and-spacing",
		input: "# my aws config\n; keep me\n\n[default]\nregion=us-east-1   \n  # indented comment\noutput :  text ; inline\n\n" +
			"[profile dev]   \n# dev account\nsso_account_id   =   111\nregion = eu-west-1\n\n\n# about prod\n[profile prod]\nregion = us-east-1\n",
		ops: []editOp{{section: "profile dev", values: []KeyValue{
			{"sso_session", "corp"}, {"sso_account_id", "222"}, {"sso_role_name", "ReadOnly"}, {"region", "us-west-2"}, {"output", "json"},
		}}},
		awscli: true,
	},
	{
		name:   "header-with-trailing-spaces",
		input:  "[profile dev]   \nregion = a\n",
		ops:    []editOp{{section: "profile dev", values: []KeyValue{{"region", "b"}}}},
		awscli: true,
	},
	{
		name: "s3-sub-section",
		input: "[default]\ns3 =\n    max_concurrent_requests = 20\n    multipart_threshold = 64MB\nregion = us-east-1\n" +
			"[profile dev]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n[profile z]\nk = v\n",
		ops: []editOp{
			{section: "default", values: []KeyValue{{"region", "us-west-2"}, {"output", "json"}}},
			{section: "profile dev", values: []KeyValue{{"sso_session", "corp"}}},
		},
		awscli: true,
	},
	{
		name:  "sub-section key of the same name is left alone",
		input: "[default]\ns3 =\n  region = inner\nregion = outer\n",
		ops:   []editOp{{section: "default", values: []KeyValue{{"region", "new"}}}},
	},
	{
		name: "services-and-unknown-sections",
		input: "[plugins]\ncli_legacy_plugin_path = /opt/x\nendpoint = awscli_plugin_endpoint\n\n[services local]\nsso_oidc =\n  endpoint_url = http://127.0.0.1:8080\n\n" +
			"[profile dev]\nservices = local\n\n[preview]\ncloudfront = true\n[sso-session corp]\nsso_region = us-east-1\n",
		ops: []editOp{
			{section: "profile dev", values: []KeyValue{{"sso_session", "corp"}, {"sso_account_id", "1"}}},
			{section: "sso-session corp", values: []KeyValue{{"sso_start_url", "https://d-1.awsapps.com/start"}, {"sso_region", "us-east-1"}, {"sso_registration_scopes", "sso:account:access"}}},
		},
		awscli: true,
	},
	{
		name:   "append-section-no-final-newline",
		input:  "[default]\nregion = us-east-1",
		ops:    []editOp{{section: "profile dev", values: []KeyValue{{"sso_session", "corp"}, {"region", "us-west-2"}}}},
		awscli: true,
	},
	{
		name:  "append-sections-to-file-with-final-newline",
		input: "[default]\nregion = us-east-1\n\n",
		ops: []editOp{
			{section: SSOSessionSection("my sso"), values: []KeyValue{{"sso_start_url", "https://d-1.awsapps.com/start"}, {"sso_region", "us-east-1"}}},
			{section: ProfileSection("team a"), values: []KeyValue{{"sso_session", "my sso"}}},
			{section: ProfileSection("default"), values: []KeyValue{{"output", "json"}}},
		},
		awscli: true,
	},
	{
		name:   "new-file",
		input:  "",
		ops:    []editOp{{section: "profile dev", values: []KeyValue{{"sso_session", "corp"}, {"sso_account_id", "111122223333"}}}},
		awscli: true,
	},
	{
		name:   "quoted-profile-header",
		input:  "[profile \"a b\"]\nregion = x\n[profile c]\n",
		ops:    []editOp{{section: "profile a b", values: []KeyValue{{"region", "y"}, {"output", "json"}}}},
		awscli: true,
	},
	{
		name:   "last-section-with-trailing-lines",
		input:  "[default]\nregion = x\n\n# trailing comment\n",
		ops:    []editOp{{section: "default", values: []KeyValue{{"output", "json"}, {"sso_session", "corp"}}}},
		awscli: true,
	},
	{
		name:   "last-section-empty",
		input:  "[default]\nregion = x\n[profile dev]\n",
		ops:    []editOp{{section: "profile dev", values: []KeyValue{{"sso_session", "corp"}}}},
		awscli: true,
	},
	{
		name:  "trailing-comment-without-newline",
		input: "[default]\na = 1\n# c",
		ops:   []editOp{{section: "default", values: []KeyValue{{"output", "json"}}}},
	},
	{
		name:  "key-case-differs",
		input: "[default]\nRegion = us-east-1\n",
		ops:   []editOp{{section: "default", values: []KeyValue{{"region", "us-west-2"}}}},
	},
	{
		name:  "crlf-line-endings",
		input: "[default]\r\nregion = us-east-1\r\n\r\n[profile dev]\r\noutput = text",
		ops: []editOp{
			{section: "default", values: []KeyValue{{"region", "us-west-2"}, {"output", "json"}}},
			{section: "profile dev", values: []KeyValue{{"output", "json"}}},
			{section: "profile new", values: []KeyValue{{"region", "x"}}},
		},
	},
	{
		name:  "delete-section",
		input: "# top\n[default]\nregion = x\n\n# dev follows\n[profile dev]\n# inside\nsso_session = corp\ns3 =\n  a = 1\n\n# about prod\n[profile prod]\nregion = y\n",
		ops:   []editOp{{section: "profile dev", del: true}, {section: "profile nope", del: true}},
	},
}

func applyOps(t *testing.T, input string, ops []editOp) []byte {
	t.Helper()
	d, err := ParseDocument([]byte(input))
	if err != nil {
		t.Fatalf("ParseDocument: %v", err)
	}
	for _, op := range ops {
		if op.del {
			d.DeleteSection(op.section)
		} else if err := d.Update(op.section, op.values); err != nil {
			t.Fatalf("Update(%q): %v", op.section, err)
		}
	}
	return d.Bytes()
}

func TestDocumentGolden(t *testing.T) {
	t.Parallel()
	for _, tt := range editCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := applyOps(t, tt.input, tt.ops)
			golden := filepath.Join("testdata", "edit", strings.ReplaceAll(tt.name, " ", "-")+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if tt.input == "" && !*update {
				// A new file has the system's line endings (CRLF on
				// Windows); the goldens are the LF form.
				want = []byte(strings.ReplaceAll(string(want), "\n", LineEnding(nil)))
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("edited file (-want +got):\n%s", diff)
			}
			// Whatever we write, botocore must be able to read.
			if _, err := Parse(got, nil, "config"); err != nil {
				t.Errorf("edited file does not parse: %v", err)
			}
			assertOnlyKeyLinesChanged(t, tt.input, string(got), tt.ops)
		})
	}
}

// assertOnlyKeyLinesChanged checks the promise independently of the goldens:
// every input line is still there, in order, unless it was a line of a set key,
// part of a deleted section, or gained a final newline.
func assertOnlyKeyLinesChanged(t *testing.T, input, output string, ops []editOp) {
	t.Helper()
	for _, op := range ops {
		if op.del {
			return // deletions are covered by the golden file alone
		}
	}
	setKey := map[string]bool{}
	for _, op := range ops {
		for _, kv := range op.values {
			setKey[strings.ToLower(kv.Key)] = true
		}
	}
	out := strings.SplitAfter(output, "\n")
	j := 0
	for _, line := range strings.SplitAfter(input, "\n") {
		if line == "" {
			continue
		}
		for j < len(out) && out[j] != line && strings.TrimSuffix(out[j], "\n") != line {
			j++
		}
		if j == len(out) {
			key, _, _ := strings.Cut(line, "=")
			if !setKey[strings.ToLower(strings.TrimSpace(key))] {
				t.Errorf("input line %q is missing from the output", line)
			}
			j = 0
			continue
		}
		j++
	}
}

// writerCase is one input of testdata/awscli_writer_oracle.py: a file (nil:
// none) and the updates, each a section and its [key, value] pairs (a value
// may be a map, for a nested key).
type writerCase struct {
	Input *string  `json:"input"`
	Ops   [][2]any `json:"ops"`
}

// runWriterOracle applies the cases with the AWS CLI's ConfigFileWriter
// (Debian's awscli 2.9.19 under /usr/bin/python3) and returns the files.
func runWriterOracle(t *testing.T, cases []writerCase) []string {
	t.Helper()
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import awscli.customizations.configure.writer").CombinedOutput(); err != nil {
		require.Missingf(t, "the AWS CLI's Python package is not importable by %s (apt-get install awscli): %v %s", python, err, out)
	}
	body, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "testdata/awscli_writer_oracle.py")
	cmd.Stdin = bytes.NewReader(body)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("AWS CLI writer: %v", err)
	}
	var files []string
	if err := json.Unmarshal(out, &files); err != nil || len(files) != len(cases) {
		t.Fatalf("AWS CLI writer output: %v (%d results for %d cases)", err, len(files), len(cases))
	}
	return files
}

// TestDocumentMatchesAWSCLI runs the AWS CLI's ConfigFileWriter (Debian's awscli
// 2.9.19 under /usr/bin/python3) on the same inputs and compares the bytes.
func TestDocumentMatchesAWSCLI(t *testing.T) {
	var cases []writerCase
	var names []string
	for _, tt := range editCases {
		if !tt.awscli {
			continue
		}
		c := writerCase{Ops: [][2]any{}}
		if tt.input != "" {
			c.Input = &tt.input
		}
		for _, op := range tt.ops {
			kvs := [][2]any{}
			for _, kv := range op.values {
				kvs = append(kvs, [2]any{kv.Key, kv.Value})
			}
			c.Ops = append(c.Ops, [2]any{op.section, kvs})
		}
		cases = append(cases, c)
		names = append(names, tt.name)
	}
	want := runWriterOracle(t, cases)
	i := 0
	for _, tt := range editCases {
		if !tt.awscli {
			continue
		}
		got := applyOps(t, tt.input, tt.ops)
		if diff := cmp.Diff(want[i], string(got)); diff != "" {
			t.Errorf("%s: differs from the AWS CLI (-awscli +ours):\n%s", names[i], diff)
		}
		i++
	}
}

func TestSectionHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{ProfileSection("default"), "default"},
		{ProfileSection("dev"), "profile dev"},
		{ProfileSection("a b"), "profile 'a b'"},
		{ProfileSection("it's\tx"), `profile 'it'"'"'s` + "\tx'"},
		{SSOSessionSection("corp"), "sso-session corp"},
		{SSOSessionSection("my sso"), "sso-session 'my sso'"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	// The quoted headers must read back as the same names.
	c := mustParse(t, "["+ProfileSection("it's\tx")+"]\nk = v\n["+SSOSessionSection("my sso")+"]\nk = v\n", "")
	if _, ok := c.Profile("it's\tx"); !ok {
		t.Errorf("quoted profile header does not read back: %q", c.ProfileNames())
	}
	if _, ok := c.SSOSession("my sso"); !ok {
		t.Errorf("quoted sso-session header does not read back: %q", c.SSOSessionNames())
	}
}

func TestParseDocumentRejectsBadFile(t *testing.T) {
	t.Parallel()
	if _, err := ParseDocument([]byte("[default]\n[default]\n")); err == nil {
		t.Error("ParseDocument accepted a duplicate section")
	}
}
