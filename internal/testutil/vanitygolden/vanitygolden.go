// Package vanitygolden runs the vanity start-URL cases of
// internal/cli/testdata/awscli-<version>/vanity: a local Identity Center
// answering the case's vanity URLs through its CONNECT proxy, a home with
// the case's ~/.aws/config, and, once a client (the AWS CLI, for the goldens;
// ssocli, in the tests) has run in it, what it left: the config, the SSO
// cache files (their names and fields, secrets and times masked) and what
// the server was sent. The configure wizard cases (wizard.json there) are
// driven through a pseudo-terminal shown on a virtual terminal
// (OpenTerminal, internal/testutil/ptyterm), whose final screen is compared.
// scripts/vanity-goldens.sh writes the goldens with it; internal/cli's tests
// compare ssocli's results with them.
package vanitygolden

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/ssocli/ssocli/internal/idc"
)

// Case is one case of cases.json.
type Case struct {
	Name string `json:"name"`
	// Config is ~/.aws/config before the run.
	Config string `json:"config"`
	// Args are the command's arguments (after "aws" or "ssocli").
	Args []string `json:"args"`
	// Vanity are the vanity URLs the server answers.
	Vanity []idc.VanityURL `json:"vanity"`
	// Note says what the case shows.
	Note string `json:"note,omitempty"`
}

// Result is what a run left behind: the golden's content.
type Result struct {
	Code   int    `json:"code"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	// Config is ~/.aws/config after the run.
	Config string `json:"config"`
	// Cache maps each file of ~/.aws/sso/cache to its fields; values other
	// than startUrl, region and scopes are masked ("<set>").
	Cache map[string]map[string]any `json:"sso_cache"`
	// StartURLs are the startUrl values of StartDeviceAuthorization, and
	// IssuerURLs the issuerUrl values of RegisterClient, in order.
	StartURLs  []string `json:"start_urls_sent,omitempty"`
	IssuerURLs []string `json:"issuer_urls_sent,omitempty"`
	// Requests are the requests for vanity URLs ("HEAD sso.example.com/start").
	Requests []string `json:"vanity_requests,omitempty"`
	// Connects are the hosts of the proxy's CONNECT lines, in order, once each.
	Connects []string `json:"connects"`
}

// LoadCases reads cases.json from dir.
func LoadCases(dir string) ([]Case, error) {
	b, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		return nil, err
	}
	var cs []Case
	if err := json.Unmarshal(b, &cs); err != nil {
		return nil, fmt.Errorf("cases.json: %w", err)
	}
	return cs, nil
}

// LoadGolden reads the golden of a case from dir.
func LoadGolden(dir, name string) (*Result, error) {
	b, err := os.ReadFile(filepath.Join(dir, name+".golden.json"))
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s.golden.json: %w", name, err)
	}
	return &r, nil
}

// WriteGolden writes r as the golden of a case into dir.
func WriteGolden(dir, name string, r *Result) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".golden.json"), append(b, '\n'), 0o644)
}

// Server is a running local Identity Center for one case.
type Server struct {
	// URL is the proxy's (and the server's) URL, for HTTPS_PROXY.
	URL string
	// CAFile is the CA for AWS_CA_BUNDLE.
	CAFile string
	// Server is the Identity Center.
	Server *idc.Server

	hs  *httptest.Server
	log *recorder
}

// Start starts a server with the demo directory, alice approved at once,
// and the case's vanity URLs, keeping its CA in dataDir.
func Start(c Case, dataDir string) (*Server, error) {
	return start(idc.Config{Vanity: c.Vanity}, dataDir)
}

func start(cfg idc.Config, dataDir string) (*Server, error) {
	rec := &recorder{}
	cfg.AutoApprove, cfg.AutoApproveDelay, cfg.DataDir, cfg.Logger = "alice", -1, dataDir, slog.New(rec)
	srv, err := idc.New(cfg)
	if err != nil {
		return nil, err
	}
	hs := httptest.NewServer(srv.Handler())
	srv.SetPublicURL(hs.URL)
	return &Server{URL: hs.URL, CAFile: srv.CAFile(), Server: srv, hs: hs, log: rec}, nil
}

// Close stops the server.
func (s *Server) Close() {
	s.Server.Close()
	s.hs.Close()
}

// WriteHome creates home with the case's config.
func WriteHome(home string, c Case) error { return writeHome(home, c.Config) }

// WriteWizardHome creates home with the wizard case's config, if any.
func WriteWizardHome(home string, c WizardCase) error { return writeHome(home, c.Config) }

func writeHome(home, config string) error {
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		return err
	}
	if config == "" {
		return nil
	}
	return os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(config), 0o600)
}

// ReadConfig returns home's ~/.aws/config ("" when there is none).
func ReadConfig(home string) (string, error) {
	b, err := os.ReadFile(filepath.Join(home, ".aws", "config"))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}

// Collect gathers what a run with this exit code and output left in home and
// on the server.
func (s *Server) Collect(home string, code int, stdout, stderr string) (*Result, error) {
	r := &Result{Code: code, Stdout: stdout, Stderr: stderr, Cache: map[string]map[string]any{}}
	b, err := os.ReadFile(filepath.Join(home, ".aws", "config"))
	if err != nil {
		return nil, err
	}
	r.Config = string(b)
	dir := filepath.Join(home, ".aws", "sso", "cache")
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		for k := range m {
			switch k {
			case "startUrl", "region", "scopes", "grantTypes":
			default:
				m[k] = "<set>"
			}
		}
		r.Cache[e.Name()] = m
	}
	for _, rec := range s.log.take() {
		switch rec.msg {
		case "StartDeviceAuthorization":
			r.StartURLs = append(r.StartURLs, rec.attrs["start_url"])
		case "RegisterClient":
			r.IssuerURLs = append(r.IssuerURLs, rec.attrs["issuer_url"])
		case "vanity start URL":
			r.Requests = append(r.Requests, rec.attrs["method"]+" "+rec.attrs["host"]+rec.attrs["path"])
		case "proxy CONNECT", "proxy refused CONNECT":
			host := rec.attrs["host"]
			if host == "" {
				host = rec.attrs["target"]
			}
			if len(r.Connects) == 0 || r.Connects[len(r.Connects)-1] != host {
				r.Connects = append(r.Connects, host)
			}
		}
	}
	sort.Strings(r.IssuerURLs)
	return r, nil
}

// recorder is a slog.Handler that keeps each record's message and attributes.
type recorder struct {
	mu     sync.Mutex
	recs   []record
	attrs  []slog.Attr
	parent *recorder // the recorder that keeps the records; nil for itself
}

type record struct {
	msg   string
	attrs map[string]string
}

func (h *recorder) Enabled(_ context.Context, _ slog.Level) bool { return true }

func (h *recorder) Handle(_ context.Context, r slog.Record) error {
	rec := record{msg: r.Message, attrs: map[string]string{}}
	for _, a := range h.attrs {
		rec.attrs[a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value.String()
		return true
	})
	root := h.root()
	root.mu.Lock()
	root.recs = append(root.recs, rec)
	root.mu.Unlock()
	return nil
}

func (h *recorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &recorder{attrs: append(append([]slog.Attr{}, h.attrs...), as...), parent: h.root()}
}

func (h *recorder) WithGroup(string) slog.Handler { return h }

func (h *recorder) root() *recorder {
	if h.parent != nil {
		return h.parent
	}
	return h
}

func (h *recorder) take() []record {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.recs
	h.recs = nil
	return out
}
