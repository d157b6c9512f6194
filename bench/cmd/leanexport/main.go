// Command leanexport is an experiment for BENCHMARKS.md, not a tool: the
// cached path of `ssocli configure export-credentials --profile P` (default
// format) with nothing else linked in: no cobra, no server, no SDK clients
// beyond what internal/creds imports. Timed next to ssocli and the floor, it
// shows how much of ssocli's whole-process time is start-up cost of the
// packages linked into the binary rather than work on the path.
//
// Usage: leanexport PROFILE   (HOME as for ssocli)
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: leanexport PROFILE")
		os.Exit(2)
	}
	home := os.Getenv("HOME")
	cp, kp := awsconfig.Paths(os.Getenv, home)
	cfg, err := awsconfig.Load(cp, kp)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(253)
	}
	p, err := cfg.SSOCredentials(os.Args[1], true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(253)
	}
	m := &creds.Manager{Home: home}
	c := m.CachedRoleCredentials(&creds.Target{Profile: p.Profile, SessionName: p.SessionName, StartURL: p.StartURL,
		Region: p.SSORegion, Scopes: p.Scopes, AccountID: p.AccountID, RoleName: p.RoleName})
	if c == nil {
		fmt.Fprintln(os.Stderr, "no cached credentials")
		os.Exit(253)
	}
	out := "{\n  \"Version\": 1,\n  \"AccessKeyId\": " + strconv.Quote(c.AccessKeyID) +
		",\n  \"SecretAccessKey\": " + strconv.Quote(c.SecretAccessKey) +
		",\n  \"SessionToken\": " + strconv.Quote(c.SessionToken) +
		",\n  \"Expiration\": \"" + c.Expiration.UTC().Format(time.RFC3339) + "\"\n}\n"
	os.Stdout.WriteString(out)
}
