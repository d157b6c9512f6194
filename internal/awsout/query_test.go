package awsout

import "testing"

// TestQueryErrors: the syntax and search errors Python's jmespath (1.0.1,
// the AWS CLI's) words its own way, in its words (checked against it: the
// golden cases query-* of internal/cli replay them through the AWS CLI).
func TestQueryErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ expr, want string }{
		{"Account[", "Invalid jmespath expression: Incomplete expression:\n\"Account[\"\n         ^"},
		{"a ||", "Invalid jmespath expression: Incomplete expression:\n\"a ||\"\n     ^"},
		{"'Account", "Bad jmespath expression: Unclosed ' delimiter:\n'Account\n^"},
		{"foo | `1", "Bad jmespath expression: Unclosed ` delimiter:\nfoo | `1\n      ^"},
		{`'a\'b`, "Bad jmespath expression: Unclosed ' delimiter:\n'a\\'b\n^"},
		{`"x" | 'y`, "Bad jmespath expression: Unclosed ' delimiter:\n\"x\" | 'y\n      ^"},
	} {
		_, err := CompileQuery(tc.expr)
		if err == nil || err.Error() != tc.want {
			t.Errorf("CompileQuery(%q) = %v, want %q", tc.expr, err, tc.want)
		}
	}
	q, err := CompileQuery("nosuch(@)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Search(Map{}); err == nil || err.Error() != "Unknown function: nosuch()" {
		t.Errorf("search: %v, want Unknown function: nosuch()", err)
	}
}
