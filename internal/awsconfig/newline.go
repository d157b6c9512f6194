package awsconfig

import (
	"bytes"
	"runtime"
)

// LineEnding returns the line ending for lines added to a config file whose
// contents are data: the file's own (that of its first line), or, for a file
// without one (new, empty or a single unterminated line), the system's: CRLF
// on Windows, where the AWS CLI writes its config files in Python's text mode
// (awscli/customizations/configure/writer.py), LF elsewhere.
//
// Unlike the AWS CLI, which reads and writes in text mode and so converts a
// whole edited file to the system's ending, ssocli keeps the file's.
func LineEnding(data []byte) string { return lineEndingFor(runtime.GOOS, data) }

func lineEndingFor(goos string, data []byte) string {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		if i > 0 && data[i-1] == '\r' {
			return "\r\n"
		}
		return "\n"
	}
	if goos == "windows" {
		return "\r\n"
	}
	return "\n"
}
