package cli

import (
	"errors"
	"os/exec"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSystemBrowser(t *testing.T) {
	t.Parallel()
	installed := func(names ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			for _, n := range names {
				if n == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", exec.ErrNotFound
		}
	}
	ssh := map[string]string{"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"}
	tests := []struct {
		name       string
		goos       string
		env        map[string]string
		lookPath   func(string) (string, error)
		wsl        bool
		want       browserLaunch
		wantReason string
	}{
		{name: "macOS: open, waited for", goos: "darwin", lookPath: installed(), want: browserLaunch{Argv: []string{"open"}, Wait: true}},
		{name: "macOS over SSH", goos: "darwin", env: ssh, lookPath: installed(), wantReason: "an SSH session"},
		{name: "macOS over SSH (SSH_TTY)", goos: "darwin", env: map[string]string{"SSH_TTY": "/dev/ttys001"}, lookPath: installed(), wantReason: "an SSH session"},
		{name: "Windows: ShellExecute, no command line", goos: "windows", lookPath: installed(), want: browserLaunch{ShellExecute: true}},
		{name: "Windows over SSH", goos: "windows", env: map[string]string{"SSH_CLIENT": "10.0.0.1 5000 22"}, lookPath: installed(), wantReason: "an SSH session"},
		{name: "Linux desktop: xdg-open", goos: "linux", env: map[string]string{"DISPLAY": ":0"}, lookPath: installed("xdg-open"), want: browserLaunch{Argv: []string{"/usr/bin/xdg-open"}}},
		{name: "Linux Wayland", goos: "linux", env: map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, lookPath: installed("xdg-open"), want: browserLaunch{Argv: []string{"/usr/bin/xdg-open"}}},
		{name: "Linux SSH with X forwarding", goos: "linux", env: map[string]string{"DISPLAY": "localhost:10.0", "SSH_CONNECTION": "x"}, lookPath: installed("xdg-open"), want: browserLaunch{Argv: []string{"/usr/bin/xdg-open"}}},
		{name: "Linux SSH without display", goos: "linux", env: ssh, lookPath: installed("xdg-open"), wantReason: "an SSH session without a display"},
		{name: "Linux CI without display", goos: "linux", env: map[string]string{"CI": "true"}, lookPath: installed("xdg-open"), wantReason: "running in CI with no display"},
		{name: "Linux without display", goos: "linux", lookPath: installed("xdg-open"), wantReason: "no display and no BROWSER"},
		{name: "Linux without xdg-open", goos: "freebsd", env: map[string]string{"DISPLAY": ":0"}, lookPath: installed(), wantReason: "xdg-open is not installed and BROWSER is not set"},
		{name: "WSL: wslview", goos: "linux", wsl: true, lookPath: installed("wslview", "xdg-open"), want: browserLaunch{Argv: []string{"/usr/bin/wslview"}}},
		{name: "WSL: wslview before WSLg's xdg-open", goos: "linux", wsl: true, env: map[string]string{"DISPLAY": ":0"}, lookPath: installed("wslview", "xdg-open"), want: browserLaunch{Argv: []string{"/usr/bin/wslview"}}},
		{name: "WSL without wslview: WSLg's display", goos: "linux", wsl: true, env: map[string]string{"DISPLAY": ":0"}, lookPath: installed("xdg-open"), want: browserLaunch{Argv: []string{"/usr/bin/xdg-open"}}},
		{name: "WSL without wslview or display", goos: "linux", wsl: true, lookPath: installed("xdg-open"), wantReason: "WSL without wslview (install wslu) and no display"},
		{name: "SSH into WSL", goos: "linux", wsl: true, env: ssh, lookPath: installed("wslview"), wantReason: "an SSH session without a display"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := systemBrowser(tt.goos, func(k string) string { return tt.env[k] }, tt.lookPath, tt.wsl)
			if tt.wantReason != "" {
				var nb *errNoBrowser
				if !errors.As(err, &nb) || nb.reason != tt.wantReason {
					t.Fatalf("systemBrowser = %+v, %v; want no browser because %q", got, err, tt.wantReason)
				}
				return
			}
			if err != nil {
				t.Fatalf("systemBrowser: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("systemBrowser (-want +got):\n%s", diff)
			}
		})
	}
}
