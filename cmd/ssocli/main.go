// Command ssocli logs in to AWS IAM Identity Center and hands out role
// credentials; see internal/cli.
package main

import (
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/ssocli/ssocli/internal/cli"
	"github.com/ssocli/ssocli/internal/sigctx"
)

// main owns the process's signals: SIGINT and SIGTERM cancel the context
// (every command then ends with exit 130), and are also relayed to exec's
// command. On Windows Go reports Ctrl-C and Ctrl-Break as os.Interrupt, and
// closing the console, logging off and shutting down as SIGTERM; exec must
// survive them while its command (which shares the console and gets the same
// events) runs.
//
// The context asks for the signals only once something waits on it
// (sigctx): a command answered from the caches never waits, and asking costs
// it a third of its run.
func main() {
	ctx := sigctx.New(os.Interrupt, syscall.SIGTERM)
	env := cli.OSEnv()
	env.Signals = func(c chan<- os.Signal) func() {
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		return func() { signal.Stop(c) }
	}
	env.Version = buildVersion(version, debug.ReadBuildInfo)
	code := cli.Run(ctx, env, os.Args[1:])
	ctx.Stop()
	os.Exit(code)
}
