// Package browser starts a headless Chromium for tests, driven through
// chromedp, so that web pages (the local IAM Identity Center's sign-in,
// device and consent pages) are tested in the browser they are made for.
//
// It is test support only: nothing outside _test.go files imports it. The
// browser is launched with a fresh profile and with everything that could
// reach the network on its own (sync, component updates, background
// networking, QUIC, proxies) turned off, so a test only talks to the loopback
// servers it navigates to.
package browser

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ssocli/ssocli/internal/testutil/require"
)

// hangGuard bounds a whole browser session, so that a page that never shows
// the element a test waits for fails the test instead of hanging it until
// the go test timeout. It is not a speed requirement.
const hangGuard = 90 * time.Second

// candidates are the names Chromium goes by on Linux distributions and in
// chromedp's headless-shell image.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// ExecPath returns the Chromium to run: $SSOCLI_CHROMIUM if set, else the
// first of the usual names found on $PATH, else "".
func ExecPath() string {
	if p := os.Getenv("SSOCLI_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// NewBrowser starts headless Chromium with a fresh user data directory
// (t.TempDir) and returns a chromedp context for one tab in it. The browser
// is stopped when the test ends. Without a Chromium the test is skipped, or
// fails when CI=true, so that CI cannot pass by skipping.
func NewBrowser(t testing.TB) context.Context {
	t.Helper()
	path := ExecPath()
	if path == "" {
		const msg = "no chromium found (install it with apt-get install -y chromium, or set SSOCLI_CHROMIUM)"
		require.Missing(t, msg)
	}
	// TempDir before the cleanup that stops the browser: cleanups run last
	// in, first out, so Chromium has exited before its directory is removed.
	dir := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
	}
	base, cancelGuard := context.WithTimeout(context.Background(), hangGuard)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc() // waits for the browser process to exit
		cancelGuard()
	})
	// The first action starts the browser; fail here, with the reason,
	// rather than in the test's first step.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	return ctx
}
