package cli

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// errNoBrowser says why no browser can be opened.
type errNoBrowser struct{ reason string }

func (e *errNoBrowser) Error() string { return e.reason }

// openBrowser returns the function that opens a URL: $BROWSER when set (a
// list of commands separated by os.pathsep, tried in order until one
// succeeds; each is split on spaces and tabs, without quoting, and %s stands
// for the URL, which is appended when there is no %s; Python's webbrowser
// module, which this resembles, runs an entry without %s as a single program
// name), else the system's way (systemBrowser).
func openBrowser(getenv func(string) string) func(string) error {
	return func(url string) error {
		if b := getenv("BROWSER"); b != "" {
			var last error
			for _, cmd := range splitList(b) {
				if err := runBrowser(cmd, url); err != nil {
					last = err
					continue
				}
				return nil
			}
			if last == nil {
				last = errors.New("it names no command")
			}
			return &errNoBrowser{reason: "the BROWSER command failed: " + last.Error()}
		}
		l, err := systemBrowser(runtime.GOOS, getenv, exec.LookPath, isWSL())
		if err != nil {
			return err
		}
		return l.open(url)
	}
}

// browserCheck tells whether a browser can be opened here: BROWSER names one,
// or systemBrowser finds one.
func browserCheck(getenv func(string) string) error {
	if getenv("BROWSER") != "" {
		return nil
	}
	_, err := systemBrowser(runtime.GOOS, getenv, exec.LookPath, isWSL())
	return err
}

// browserLaunch is how a URL is handed to the system's browser.
type browserLaunch struct {
	// Argv is the command to run, the URL its last argument (nil when
	// ShellExecute is set).
	Argv []string
	// Wait runs the command to its end, so that its failure is seen (macOS's
	// open returns once LaunchServices has the URL); otherwise it is started
	// and reaped in the background (xdg-open may wait for the browser).
	Wait bool
	// ShellExecute hands the URL to Windows' ShellExecuteW ("open"), with no
	// command line at all.
	ShellExecute bool
}

// systemBrowser chooses how goos opens a URL in the user's default browser,
// or says why none can be opened here, so that login uses the device code
// flow instead:
//   - over SSH (SSH_CONNECTION, SSH_CLIENT or SSH_TTY) no browser opens, on
//     every system, unless a forwarded X or Wayland display is there (Linux):
//     macOS's open and Windows' handler would open it on the remote
//     machine's desktop, where nobody sees it;
//   - macOS: open;
//   - Windows: ShellExecuteW, which is what rundll32 url.dll,FileProtocolHandler
//     ends in, and what Python's webbrowser (os.startfile, so the AWS CLI) and
//     gh's github.com/cli/browser use. No command line is built, so a URL with
//     "&" (every authorize URL has several) reaches the browser whole;
//     "cmd /c start URL" would cut it at the first "&" unless quoted for cmd,
//     which Go's argument quoting does not do, and rundll32 gets the URL from a
//     command line too;
//   - WSL: wslview (wslu), which opens the Windows browser, when installed;
//   - Linux and other Unix systems: xdg-open, which needs a display (DISPLAY or
//     WAYLAND_DISPLAY).
func systemBrowser(goos string, getenv func(string) string, lookPath func(string) (string, error), wsl bool) (browserLaunch, error) {
	ssh := getenv("SSH_CONNECTION") != "" || getenv("SSH_CLIENT") != "" || getenv("SSH_TTY") != ""
	switch goos {
	case "darwin":
		if ssh {
			return browserLaunch{}, &errNoBrowser{reason: "an SSH session"}
		}
		return browserLaunch{Argv: []string{"open"}, Wait: true}, nil
	case "windows":
		if ssh {
			return browserLaunch{}, &errNoBrowser{reason: "an SSH session"}
		}
		return browserLaunch{ShellExecute: true}, nil
	}
	if wsl && !ssh {
		if p, err := lookPath("wslview"); err == nil {
			return browserLaunch{Argv: []string{p}}, nil
		}
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		switch {
		case ssh:
			return browserLaunch{}, &errNoBrowser{reason: "an SSH session without a display"}
		case wsl:
			return browserLaunch{}, &errNoBrowser{reason: "WSL without wslview (install wslu) and no display"}
		case getenv("CI") != "":
			return browserLaunch{}, &errNoBrowser{reason: "running in CI with no display"}
		}
		return browserLaunch{}, &errNoBrowser{reason: "no display and no BROWSER"}
	}
	p, err := lookPath("xdg-open")
	if err != nil {
		return browserLaunch{}, &errNoBrowser{reason: "xdg-open is not installed and BROWSER is not set"}
	}
	return browserLaunch{Argv: []string{p}}, nil
}

// open hands url to the browser as l says.
func (l browserLaunch) open(url string) error {
	if l.ShellExecute {
		return shellOpen(url)
	}
	cmd := exec.Command(l.Argv[0], append(l.Argv[1:], url)...)
	if l.Wait {
		return cmd.Run()
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it; its exit status says nothing about the browser
	return nil
}

// isWSL reports whether this is Linux under the Windows Subsystem for Linux,
// whose kernel names itself in osrelease ("...-microsoft-standard-WSL2").
func isWSL() bool {
	if runtime.GOOS != "linux" {
		return false
	}
	if os.Getenv("WSL_DISTRO_NAME") != "" {
		return true
	}
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	return err == nil && strings.Contains(strings.ToLower(string(b)), "microsoft")
}

func splitList(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == os.PathListSeparator {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func runBrowser(cmdline, url string) error {
	args := fields(cmdline)
	if len(args) == 0 {
		return &errNoBrowser{reason: "BROWSER is empty"}
	}
	subst := false
	for i, a := range args {
		if a == "%s" {
			args[i] = url
			subst = true
		}
	}
	if !subst {
		args = append(args, url)
	}
	cmd := exec.Command(args[0], args[1:]...)
	return cmd.Run()
}

func fields(s string) []string {
	var out []string
	cur := []byte{}
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' {
			if len(cur) > 0 {
				out = append(out, string(cur))
				cur = cur[:0]
			}
			continue
		}
		cur = append(cur, s[i])
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}
