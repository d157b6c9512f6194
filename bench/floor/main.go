// Command floor is the lower bound for a credential helper's whole-process
// latency: a static Go binary that reads one small file and copies it to
// stdout, as `ssocli configure export-credentials` does with a cached role
// credential file. bench/compare.sh times it next to ssocli and the AWS CLI.
//
// It is a measurement aid only, not part of ssocli.
package main

import "os"

func main() {
	if len(os.Args) != 2 {
		os.Stderr.WriteString("usage: floor FILE\n")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(b); err != nil {
		os.Exit(1)
	}
}
