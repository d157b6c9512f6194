// Command idcload is a load generator for the local IAM Identity Center
// (`ssocli serve`) on loopback. It logs in through the device flow (the
// server must auto-approve), then drives one operation at a time with C
// workers, each sending its next request when the last one is answered
// (closed loop), until it has sent -n requests or -d has passed:
//
//	grc      GetRoleCredentials (GET /federation/credentials, bearer token)
//	refresh  CreateToken with grant refresh_token; each worker keeps its own
//	         session and uses the rotated refresh token of its last answer
//	sts      GetCallerIdentity, SigV4-signed afresh for every request with
//	         role credentials from GetRoleCredentials
//
// It prints requests per second, latency percentiles and errors per op. It
// dials loopback only and refuses any other URL. It is a measurement tool for
// bench/ (bench/load.sh), not part of ssocli.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

type config struct {
	base                       string
	startURL, account, role    string
	region                     string
	conc, requests             int
	duration, approveDelayWait time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.base, "url", "", "the server's base URL, http://127.0.0.1:PORT (required)")
	flag.StringVar(&c.startURL, "start-url", "https://d-0000000000.awsapps.com/start", "sso_start_url")
	flag.StringVar(&c.account, "account", "111122223333", "account of GetRoleCredentials")
	flag.StringVar(&c.role, "role", "ReadOnly", "role of GetRoleCredentials")
	flag.StringVar(&c.region, "region", "us-east-1", "region of the STS signature")
	flag.IntVar(&c.conc, "c", 8, "concurrent workers (connections)")
	flag.IntVar(&c.requests, "n", 20000, "requests per op, at most")
	flag.DurationVar(&c.duration, "d", 10*time.Second, "time per op, at most")
	flag.DurationVar(&c.approveDelayWait, "approve-wait", 1200*time.Millisecond, "wait before the first token poll (the server's auto-approve delay, plus a margin)")
	ops := flag.String("ops", "grc,refresh,sts", "comma-separated ops to run")
	flag.Parse()
	u, err := url.Parse(c.base)
	if err != nil || u.Scheme != "http" || !loopback(u.Hostname()) {
		fmt.Fprintln(os.Stderr, "idcload: -url must be http://<loopback address>:PORT")
		os.Exit(2)
	}
	cl := newClient(c.conc)
	ctx := context.Background()
	reg, err := register(ctx, cl, c)
	if err != nil {
		fatal(err)
	}
	fmt.Printf("| op | workers | requests | seconds | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |\n")
	fmt.Printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, op := range strings.Split(*ops, ",") {
		var work func(worker int) (func(context.Context) error, error)
		switch op {
		case "grc":
			s, err := login(ctx, cl, c, reg)
			if err != nil {
				fatal(err)
			}
			work = func(int) (func(context.Context) error, error) {
				return func(ctx context.Context) error { _, err := getRoleCredentials(ctx, cl, c, s.AccessToken); return err }, nil
			}
		case "refresh":
			sessions := make([]*token, c.conc)
			var wg sync.WaitGroup
			errs := make([]error, c.conc)
			for i := range sessions {
				wg.Go(func() { sessions[i], errs[i] = login(ctx, cl, c, reg) })
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				fatal(err)
			}
			work = func(i int) (func(context.Context) error, error) {
				s := sessions[i]
				return func(ctx context.Context) error {
					t, err := refresh(ctx, cl, c, reg, s.RefreshToken)
					if err == nil {
						s.RefreshToken = t.RefreshToken
					}
					return err
				}, nil
			}
		case "sts":
			s, err := login(ctx, cl, c, reg)
			if err != nil {
				fatal(err)
			}
			rc, err := getRoleCredentials(ctx, cl, c, s.AccessToken)
			if err != nil {
				fatal(err)
			}
			work = func(int) (func(context.Context) error, error) {
				signer := v4.NewSigner()
				return func(ctx context.Context) error { return callerIdentity(ctx, cl, c, signer, rc) }, nil
			}
		default:
			fatal(fmt.Errorf("unknown op %q", op))
		}
		r, err := run(ctx, c, work)
		if err != nil {
			fatal(err)
		}
		lat := r.latencies
		slices.Sort(lat)
		secs := r.elapsed.Seconds()
		fmt.Printf("| %s | %d | %d | %.2f | %.0f | %.2f | %.2f | %.2f | %.2f | %d |\n", op, c.conc, len(lat), secs, float64(len(lat))/secs,
			ms(pct(lat, 0.50)), ms(pct(lat, 0.90)), ms(pct(lat, 0.99)), ms(lat[len(lat)-1]), r.errors)
		if r.firstErr != nil {
			fmt.Fprintf(os.Stderr, "idcload: %s: first error: %v\n", op, r.firstErr)
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "idcload:", err)
	os.Exit(1)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(q*float64(len(sorted)-1)+0.5)]
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// newClient keeps one connection per worker and dials nothing but loopback.
func newClient(conc int) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				host, _, err := net.SplitHostPort(addr)
				if err != nil || !loopback(host) {
					return nil, fmt.Errorf("refusing to dial %s: loopback only", addr)
				}
				return d.DialContext(ctx, network, addr)
			},
			MaxIdleConns:        conc * 2,
			MaxIdleConnsPerHost: conc * 2,
		},
	}
}

type result struct {
	latencies []time.Duration
	elapsed   time.Duration
	errors    int64
	firstErr  error
}

// run drives op with c.conc closed-loop workers until c.requests requests
// have been sent or c.duration has passed.
func run(ctx context.Context, c config, work func(worker int) (func(context.Context) error, error)) (*result, error) {
	ctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	var sent atomic.Int64
	var errCount atomic.Int64
	var firstErr atomic.Value
	lats := make([][]time.Duration, c.conc)
	fns := make([]func(context.Context) error, c.conc)
	for i := range fns {
		f, err := work(i)
		if err != nil {
			return nil, err
		}
		fns[i] = f
	}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range c.conc {
		wg.Go(func() {
			for ctx.Err() == nil && sent.Add(1) <= int64(c.requests) {
				t0 := time.Now()
				err := fns[i](ctx)
				if ctx.Err() != nil {
					return // cut off by the time limit: not counted
				}
				lats[i] = append(lats[i], time.Since(t0))
				if err != nil {
					errCount.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	r := &result{elapsed: time.Since(start), errors: errCount.Load()}
	if e, ok := firstErr.Load().(error); ok {
		r.firstErr = e
	}
	for _, l := range lats {
		r.latencies = append(r.latencies, l...)
	}
	if len(r.latencies) == 0 {
		return nil, errors.New("no request completed")
	}
	return r, nil
}

type registration struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

type token struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
}

// postJSON posts in to path and decodes a 200 answer into out; any other
// status is an error carrying the x-amzn-ErrorType (never the body, which
// may hold a token).
func postJSON(ctx context.Context, cl *http.Client, c config, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return do(cl, req, out)
}

func do(cl *http.Client, req *http.Request, out any) error {
	resp, err := cl.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: HTTP %d %s", req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(body, out)
}

func register(ctx context.Context, cl *http.Client, c config) (*registration, error) {
	var r registration
	err := postJSON(ctx, cl, c, "/client/register", map[string]any{
		"clientName": "idcload", "clientType": "public", "scopes": []string{"sso:account:access"},
	}, &r)
	if err != nil {
		return nil, fmt.Errorf("register client: %w", err)
	}
	return &r, nil
}

// login runs the device flow; the server approves it after its
// auto-approve delay, so the first poll waits that long and no poll is
// answered with SlowDown.
func login(ctx context.Context, cl *http.Client, c config, reg *registration) (*token, error) {
	var dev struct {
		DeviceCode string `json:"deviceCode"`
	}
	if err := postJSON(ctx, cl, c, "/device_authorization", map[string]any{
		"clientId": reg.ClientID, "clientSecret": reg.ClientSecret, "startUrl": c.startURL,
	}, &dev); err != nil {
		return nil, fmt.Errorf("start device authorization: %w", err)
	}
	wait := c.approveDelayWait
	for range 10 {
		time.Sleep(wait)
		var t token
		err := postJSON(ctx, cl, c, "/token", map[string]any{
			"clientId": reg.ClientID, "clientSecret": reg.ClientSecret,
			"grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": dev.DeviceCode,
		}, &t)
		if err == nil {
			if t.RefreshToken == "" {
				return nil, errors.New("create token: no refresh token in the answer")
			}
			return &t, nil
		}
		if !strings.Contains(err.Error(), "AuthorizationPending") && !strings.Contains(err.Error(), "SlowDown") {
			return nil, fmt.Errorf("create token: %w", err)
		}
		wait = 1200 * time.Millisecond
	}
	return nil, errors.New("create token: the device code was not approved (does the server run with --auto-approve?)")
}

func refresh(ctx context.Context, cl *http.Client, c config, reg *registration, rt string) (*token, error) {
	var t token
	err := postJSON(ctx, cl, c, "/token", map[string]any{
		"clientId": reg.ClientID, "clientSecret": reg.ClientSecret, "grantType": "refresh_token", "refreshToken": rt,
	}, &t)
	if err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	return &t, nil
}

func getRoleCredentials(ctx context.Context, cl *http.Client, c config, accessToken string) (aws.Credentials, error) {
	q := url.Values{"role_name": {c.role}, "account_id": {c.account}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/federation/credentials?"+q.Encode(), nil)
	if err != nil {
		return aws.Credentials{}, err
	}
	req.Header.Set("x-amz-sso_bearer_token", accessToken)
	var out struct {
		RoleCredentials struct {
			AccessKeyID     string `json:"accessKeyId"`
			SecretAccessKey string `json:"secretAccessKey"`
			SessionToken    string `json:"sessionToken"`
		} `json:"roleCredentials"`
	}
	if err := do(cl, req, &out); err != nil {
		return aws.Credentials{}, fmt.Errorf("get role credentials: %w", err)
	}
	rc := out.RoleCredentials
	return aws.Credentials{AccessKeyID: rc.AccessKeyID, SecretAccessKey: rc.SecretAccessKey, SessionToken: rc.SessionToken}, nil
}

const stsBody = "Action=GetCallerIdentity&Version=2011-06-15"

var stsBodyHash = func() string { h := sha256.Sum256([]byte(stsBody)); return hex.EncodeToString(h[:]) }()

func callerIdentity(ctx context.Context, cl *http.Client, c config, signer *v4.Signer, rc aws.Credentials) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/", strings.NewReader(stsBody))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := signer.SignHTTP(ctx, rc, req, stsBodyHash, "sts", c.region, time.Now()); err != nil {
		return err
	}
	if err := do(cl, req, nil); err != nil {
		return fmt.Errorf("get caller identity: %w", err)
	}
	return nil
}
