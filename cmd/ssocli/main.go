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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := cli.OSEnv()
	env.Version = buildVersion(version, debug.ReadBuildInfo)
	code := cli.Run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}
