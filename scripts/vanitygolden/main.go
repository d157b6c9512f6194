//go:build unix

// Command vanitygolden writes the goldens of the vanity start-URL cases
// (internal/cli/testdata/awscli-<version>/vanity/cases.json) and of the
// configure wizards (wizard.json there, driven through a pseudo-terminal) by
// running the AWS CLI on each against a local Identity Center
// (internal/testutil/vanitygolden).
// Run it through scripts/vanity-goldens.sh, which builds it and runs it inside
// a private network namespace.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ssocli/ssocli/internal/testutil/vanitygolden"
)

func main() {
	aws := flag.String("aws", "", "the AWS CLI to run (scripts/awscli-latest.sh)")
	dir := flag.String("dir", "", "the directory of cases.json, where the goldens go")
	flag.Parse()
	if err := run(*aws, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "vanitygolden:", err)
		os.Exit(1)
	}
}

func run(aws, dir string) error {
	cases, err := vanitygolden.LoadCases(dir)
	if err != nil {
		return err
	}
	for _, c := range cases {
		tmp, err := os.MkdirTemp("", "vanitygolden-")
		if err != nil {
			return err
		}
		home := filepath.Join(tmp, "home")
		srv, err := vanitygolden.Start(c, filepath.Join(tmp, "data"))
		if err != nil {
			return err
		}
		if err := vanitygolden.WriteHome(home, c); err != nil {
			return err
		}
		cmd := exec.Command(aws, c.Args...)
		cmd.Env = awsEnv(home, srv)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		code := 0
		if err := cmd.Run(); err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
			code = ee.ExitCode()
		}
		r, err := srv.Collect(home, code, stdout.String(), stderr.String())
		srv.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		if err := vanitygolden.WriteGolden(dir, c.Name, r); err != nil {
			return err
		}
		fmt.Printf("%-24s exit %d\n", c.Name, code)
		os.RemoveAll(tmp)
	}
	wizards, err := vanitygolden.LoadWizardCases(dir)
	if err != nil {
		return err
	}
	for _, c := range wizards {
		if err := runWizard(aws, dir, c); err != nil {
			return fmt.Errorf("wizard %s: %w", c.Name, err)
		}
	}
	return nil
}

// runWizard runs the AWS CLI's wizard of c in a pseudo-terminal, typing
// c's steps, and writes the final screen and config as its golden.
func runWizard(aws, dir string, c vanitygolden.WizardCase) error {
	tmp, err := os.MkdirTemp("", "vanitygolden-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	home := filepath.Join(tmp, "home")
	srv, err := vanitygolden.StartWizard(c, filepath.Join(tmp, "data"))
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := vanitygolden.WriteWizardHome(home, c); err != nil {
		return err
	}
	term, err := vanitygolden.OpenTerminal()
	if err != nil {
		return err
	}
	defer term.Close()
	cmd := exec.Command(aws, c.Args...)
	cmd.Env = append(awsEnv(home, srv), "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = term.TTY, term.TTY, term.TTY
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	if err := term.Drive(c.Steps, time.Minute); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return err
	}
	code := 0
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return err
		}
		code = ee.ExitCode()
	}
	term.WaitQuiet(time.Now().Add(5 * time.Second))
	config, err := vanitygolden.ReadConfig(home)
	if err != nil {
		return err
	}
	g := &vanitygolden.WizardGolden{Code: code, Screen: term.Screen(), Config: config}
	fmt.Printf("wizard-%-17s exit %d\n", c.Name, code)
	return vanitygolden.WriteWizardGolden(dir, c.Name, g)
}

// awsEnv is the AWS CLI's environment: the home, the server through its
// proxy and CA, nothing else of this process's but where the oracle is.
func awsEnv(home string, srv *vanitygolden.Server) []string {
	return []string{
		"PATH=/usr/bin:/bin",
		"HOME=" + home,
		"XDG_CACHE_HOME=" + os.Getenv("XDG_CACHE_HOME"),
		"AWSCLI_SRC=" + os.Getenv("AWSCLI_SRC"),
		"HTTPS_PROXY=" + srv.URL,
		"AWS_CA_BUNDLE=" + srv.CAFile,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"BROWSER=/bin/false",
	}
}
