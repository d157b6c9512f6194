// Command benchserve runs the same local IAM Identity Center as `ssocli serve`
// (internal/idc with the demo directory, CONNECT proxy and CA in -data-dir),
// with one difference for timing logins: -approve-delay sets how long after
// StartDeviceAuthorization a device code is auto-approved. `ssocli serve
// --auto-approve` waits one second, and both ssocli and the AWS CLI poll again
// at once after showing the code, get SlowDown, and wait 1+5 s: every login
// would then measure the protocol's pauses, not the tools. With the default
// -approve-delay=-1ns the first poll succeeds.
//
// Like `ssocli serve --quiet` it prints only "http://ADDR" once listening. It
// refuses non-loopback addresses. It is a measurement aid for bench/.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ssocli/ssocli/internal/idc"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	dataDir := flag.String("data-dir", "", "directory for the proxy CA (required)")
	user := flag.String("auto-approve", "alice", "approve every login as this user")
	delay := flag.Duration("approve-delay", -1, "delay before a device code is approved (negative: at once)")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(os.Stderr, "benchserve: -addr %s is not a loopback address\n", *addr)
		os.Exit(2)
	}
	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "benchserve: -data-dir is required")
		os.Exit(2)
	}
	srv, err := idc.New(idc.Config{DataDir: *dataDir, AutoApprove: *user, AutoApproveDelay: *delay, TokenTTL: time.Hour})
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchserve:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = srv.ListenAndServe(ctx, *addr, func(a string) { fmt.Printf("http://%s\n", a) })
	if err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "benchserve:", err)
		os.Exit(1)
	}
}
