package awsconfig

import (
	"runtime"
	"testing"
)

func TestLineEnding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		goos, data, want string
	}{
		{"windows", "", "\r\n"},
		{"windows", "[default]", "\r\n"},
		{"windows", "[default]\nregion = x\r\n", "\n"},
		{"windows", "[default]\r\nregion = x\n", "\r\n"},
		{"windows", "\n\r\n", "\n"},
		{"linux", "", "\n"},
		{"darwin", "[default]", "\n"},
		{"linux", "[default]\r\nregion = x\n", "\r\n"},
		{"linux", "\r\n", "\r\n"},
		{"linux", "\r", "\n"},
	}
	for _, tt := range tests {
		if got := lineEndingFor(tt.goos, []byte(tt.data)); got != tt.want {
			t.Errorf("lineEndingFor(%s, %q) = %q, want %q", tt.goos, tt.data, got, tt.want)
		}
	}
}

// TestDocumentLineEndings checks that a new config gets the system's line
// endings and that an edited one keeps its own.
func TestDocumentLineEndings(t *testing.T) {
	t.Parallel()
	newEOL := lineEndingFor(runtime.GOOS, nil)
	tests := []struct{ name, old, want string }{
		{"new file", "", "[profile dev]" + newEOL + "region = x" + newEOL},
		{"one unterminated line", "[a]", "[a]" + newEOL + "[profile dev]" + newEOL + "region = x" + newEOL},
		{"LF file", "[a]\nk = v\n", "[a]\nk = v\n[profile dev]\nregion = x\n"},
		{"CRLF file", "[a]\r\nk = v\r\n", "[a]\r\nk = v\r\n[profile dev]\r\nregion = x\r\n"},
		{"CRLF file without final newline", "[profile dev]\r\nk = v", "[profile dev]\r\nk = v\r\nregion = x\r\n"},
	}
	for _, tt := range tests {
		d, err := ParseDocument([]byte(tt.old))
		if err != nil {
			t.Fatal(err)
		}
		d.Set("profile dev", "region", "x")
		if got := string(d.Bytes()); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
