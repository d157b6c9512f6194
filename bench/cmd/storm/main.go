// Command storm measures a credential storm: N ssocli processes started at
// once, each running `configure export-credentials`, when the role cache is
// empty and the cached token is in its refresh window (10 minutes left; the
// window is 15). It runs the local IAM Identity Center in-process on loopback
// (internal/idc, reached through AWS_ENDPOINT_URL), so it can count the calls
// the server received: whatever N is, there must be exactly one token refresh
// and one GetRoleCredentials per role. It prints, per N, the wall time from
// the first process's start to the last one's exit, and the calls; and,
// right after each storm, the wall time of the same N calls on the warm
// cache (which must not call the server), with the ratio storm / warm.
//
// bench/storm.sh builds ssocli and runs this inside a private network
// namespace. It is a measurement tool for bench/, not part of ssocli.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/idc"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/ssocache"
)

const session = "corp"

func main() {
	bin := flag.String("ssocli", "", "the ssocli binary to run (required)")
	ns := flag.String("n", "1,8,32,128", "comma-separated process counts")
	roles := flag.String("roles", "1,8", "comma-separated role counts (processes are spread over the roles; a count above N is skipped)")
	trials := flag.Int("trials", 5, "storms per (N, roles)")
	timeout := flag.Duration("timeout", 60*time.Second, "longest one storm may take")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "storm: -ssocli is required")
		os.Exit(2)
	}
	nList, err := ints(*ns)
	if err != nil {
		fatal(err)
	}
	rList, err := ints(*roles)
	if err != nil {
		fatal(err)
	}
	fmt.Println("| processes | roles | wall median ms | wall min-max ms | warm wall median ms | storm / warm | refreshes per storm | GetRoleCredentials per storm | failed processes |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |")
	failed := false
	for _, r := range rList {
		w, err := newWorld(*bin, r)
		if err != nil {
			fatal(err)
		}
		for _, n := range nList {
			if r > n {
				continue
			}
			var walls, warms []time.Duration
			var refreshes, grcs []int
			bad := 0
			for range *trials {
				res, err := w.storm(n, *timeout)
				if err != nil {
					w.close()
					fatal(err)
				}
				warm, err := w.launch(n, *timeout)
				if err != nil {
					w.close()
					fatal(err)
				}
				if warm.refreshes != 0 || warm.grc != 0 || warm.failed > 0 {
					failed = true
				}
				bad += warm.failed
				warms = append(warms, warm.wall)
				walls = append(walls, res.wall)
				refreshes = append(refreshes, res.refreshes)
				grcs = append(grcs, res.grc)
				bad += res.failed
				if res.refreshes != 1 || res.grc != r || res.failed > 0 {
					failed = true
				}
			}
			slices.Sort(walls)
			slices.Sort(warms)
			cold, warm := walls[len(walls)/2], warms[len(warms)/2]
			fmt.Printf("| %d | %d | %.1f | %.1f-%.1f | %.1f | %.2f | %v | %v | %d |\n", n, r, msf(cold), msf(walls[0]), msf(walls[len(walls)-1]),
				msf(warm), float64(cold)/float64(warm), refreshes, grcs, bad)
		}
		w.close()
	}
	if failed {
		fmt.Println("\nstorm: FAILED: a storm made more than one refresh or one GetRoleCredentials per role, a warm round called the server, or a process failed")
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "storm:", err)
	os.Exit(1)
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// world is a local Identity Center with one account and `roles` roles, and a
// home whose config has one profile per role on one sso-session, logged in.
type world struct {
	bin, home string
	roles     int
	srv       *idc.Server
	hs        *http.Server
	url       string
}

func newWorld(bin string, roles int) (*world, error) {
	home, err := os.MkdirTemp("", "ssocli-storm-")
	if err != nil {
		return nil, err
	}
	dir := directory.Generate(1, roles)
	srv, err := idc.New(idc.Config{Directory: dir, AutoApprove: "alice", AutoApproveDelay: -1})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	w := &world{bin: bin, home: home, roles: roles, srv: srv, url: "http://" + ln.Addr().String()}
	srv.SetPublicURL(w.url)
	w.hs = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = w.hs.Serve(ln) }()

	var cfg strings.Builder
	fmt.Fprintf(&cfg, "[sso-session %s]\nsso_start_url = %s\nsso_region = %s\nsso_registration_scopes = sso:account:access\n", session, dir.Instance.StartURL, dir.Instance.Region)
	for r := 1; r <= roles; r++ {
		fmt.Fprintf(&cfg, "\n[profile p%d]\nsso_session = %s\nsso_account_id = %s\nsso_role_name = Role%02d\nregion = us-east-1\n", r, session, dir.Accounts[0].ID, r)
	}
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(cfg.String()), 0o600); err != nil {
		return nil, err
	}
	if out, err := w.cmd("sso", "login", "--profile", "p1", "--use-device-code", "--no-browser").CombinedOutput(); err != nil {
		w.close()
		return nil, fmt.Errorf("ssocli sso login: %v\n%s", err, out)
	}
	return w, nil
}

func (w *world) close() {
	_ = w.hs.Close()
	_ = os.RemoveAll(w.home)
}

// cmd is an ssocli command in the world's home that reaches the server
// through AWS_ENDPOINT_URL and takes nothing else from the environment.
func (w *world) cmd(args ...string) *exec.Cmd {
	c := exec.Command(w.bin, args...)
	c.Env = []string{"HOME=" + w.home, "AWS_ENDPOINT_URL=" + w.url, "PATH=" + os.Getenv("PATH"), "BROWSER=/bin/false"}
	return c
}

type result struct {
	wall           time.Duration
	refreshes, grc int
	failed         int
}

// storm empties the role cache, puts the token 10 minutes from expiry, then
// starts n processes at once and waits for all of them.
func (w *world) storm(n int, timeout time.Duration) (result, error) {
	if err := os.RemoveAll(ssocache.CLIDir(w.home)); err != nil {
		return result{}, err
	}
	tp := ssocache.TokenPath(w.home, session, "")
	tok, err := ssocache.ReadToken(tp)
	if err != nil {
		return result{}, fmt.Errorf("read token: %w", err)
	}
	tok.ExpiresAt = time.Now().Add(10 * time.Minute).UTC().Truncate(time.Second)
	if err := ssocache.WriteToken(tp, tok); err != nil {
		return result{}, fmt.Errorf("write token: %w", err)
	}
	return w.launch(n, timeout)
}

// launch starts n processes at once, spread over the roles, and waits for
// all of them; right after a storm it times the same n calls on a warm
// cache (issue 14's yardstick: a storm within 2x of that).
func (w *world) launch(n int, timeout time.Duration) (result, error) {
	before := w.srv.Counts()

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	errs := make([]*bytes.Buffer, n)
	for i := range cmds {
		c := w.cmd("configure", "export-credentials", "--profile", fmt.Sprintf("p%d", i%w.roles+1))
		c = exec.CommandContext(ctx, c.Path, c.Args[1:]...)
		c.Env = w.cmd().Env
		outs[i], errs[i] = &bytes.Buffer{}, &bytes.Buffer{}
		c.Stdout, c.Stderr = outs[i], errs[i]
		cmds[i] = c
	}
	start := time.Now()
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			return result{}, err
		}
	}
	res := result{}
	for i, c := range cmds {
		err := c.Wait()
		var creds struct {
			Version                                    int
			AccessKeyId, SecretAccessKey, SessionToken string
		}
		if err == nil {
			err = json.Unmarshal(outs[i].Bytes(), &creds)
		}
		if err == nil && (creds.Version != 1 || creds.AccessKeyId == "" || creds.SessionToken == "") {
			err = errors.New("no credentials in the output")
		}
		if err != nil {
			res.failed++
			// stderr never holds secrets (house rule); stdout may, so it is not shown.
			fmt.Fprintf(os.Stderr, "storm: a process failed: %v\n%s", err, errs[i].String())
		}
	}
	res.wall = time.Since(start)
	after := w.srv.Counts()
	res.refreshes = after["CreateToken/refresh_token"] - before["CreateToken/refresh_token"]
	res.grc = after["GetRoleCredentials"] - before["GetRoleCredentials"]
	return res, nil
}
