package signin

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ssocli/ssocli/internal/testutil/browser"
)

var screenshots = flag.Bool("screenshots", false, "write screenshots of the pages to docs/screenshots (also SSOCLI_SCREENSHOTS=1)")

// screenshotDir is docs/screenshots at the module root.
var screenshotDir = filepath.Join("..", "..", "..", "docs", "screenshots")

// TestScreenshots writes the sign-in, device, approved and consent pages as PNG files at
// a desktop and a phone width, for the docs and for a person to look at. It
// only runs when asked: go test -run TestScreenshots -screenshots.
func TestScreenshots(t *testing.T) {
	if !*screenshots && os.Getenv("SSOCLI_SCREENSHOTS") != "1" {
		t.Skip("run with -screenshots or SSOCLI_SCREENSHOTS=1 to write docs/screenshots")
	}
	ctx := browser.NewBrowser(t)
	srv, _ := newPagesServer(t)
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	shoot := func(name string, width, height int64, opts ...chromedp.EmulateViewportOption) {
		t.Helper()
		runSteps(t, ctx, "resize for "+name, chromedp.EmulateViewport(width, height, opts...), chromedp.WaitVisible("main"))
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(screenshotDir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	both := func(name string) {
		t.Helper()
		shoot(name+"-1280.png", 1280, 800)
		shoot(name+"-390.png", 390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}

	runSteps(t, ctx, "sign-in page", chromedp.Navigate(srv.URL+"/login?next=%2Fdevice%3Fuser_code%3DABCD-EFGH"), chromedp.WaitVisible("#username"))
	both("signin")
	runSteps(t, ctx, "sign in",
		chromedp.SendKeys("#username", testUser),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Click(`button[type="submit"].primary`),
		chromedp.WaitVisible(`button[value="approve"]`),
	)
	both("device")
	runSteps(t, ctx, "approve", chromedp.Click(`button[value="approve"]`), chromedp.WaitVisible(".message.success"))
	both("approved")
	runSteps(t, ctx, "consent page", chromedp.Navigate(srv.URL+authorizeURL(callback, nil)), chromedp.WaitVisible(`button[value="allow"]`))
	both("consent")
}
