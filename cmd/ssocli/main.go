// Command ssocli logs in to AWS IAM Identity Center and hands out role
// credentials; see internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/ssocli/ssocli/internal/cli"
)

// main owns the process's signals: SIGINT and SIGTERM cancel the context
// (every command then ends with exit 130), and are also relayed to exec's
// command. On Windows Go reports Ctrl-C and Ctrl-Break as os.Interrupt, and
// closing the console, logging off and shutting down as SIGTERM; exec must
// survive them while its command (which shares the console and gets the same
// events) runs.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := cli.OSEnv()
	env.Signals = func(c chan<- os.Signal) func() {
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		return func() { signal.Stop(c) }
	}
	env.Version = buildVersion(version, debug.ReadBuildInfo)
	code := cli.Run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}
