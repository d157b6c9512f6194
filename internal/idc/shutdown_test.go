package idc_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"testing"

	"github.com/ssocli/ssocli/internal/idc"
)

// TestShutdownEndsTunnels: a CONNECT tunnel open when ListenAndServe ends
// is closed by then, so no request in it reaches the closed state store.
func TestShutdownEndsTunnels(t *testing.T) {
	t.Parallel()
	srv, err := idc.New(idc.Config{DataDir: t.TempDir(), PersistState: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addrc := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(a string) { addrc <- a }) }()
	addr := <-addrc

	const host = "oidc.us-east-1.amazonaws.com"
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "CONNECT %s:443 HTTP/1.1\r\nHost: %s:443\r\n\r\n", host, host)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	pem, err := os.ReadFile(srv.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	tc := tls.Client(&readerConn{Conn: conn, r: br}, &tls.Config{ServerName: host, RootCAs: roots})
	tr := bufio.NewReader(tc)
	// register sends RegisterClient, which writes to the state store, and
	// returns the status or the transport error.
	register := func() (int, error) {
		body := `{"clientName":"t","clientType":"public"}`
		if _, err := fmt.Fprintf(tc, "POST /client/register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", host, len(body), body); err != nil {
			return 0, err
		}
		resp, err := http.ReadResponse(tr, nil)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	if status, err := register(); err != nil || status != http.StatusOK {
		t.Fatalf("RegisterClient in the tunnel before shutdown: %d, %v", status, err)
	}

	cancel()
	if err := <-served; err != nil {
		t.Fatalf("ListenAndServe: %v", err)
	}
	// The store is closed now; the tunnel must be gone with it.
	if status, err := register(); err == nil {
		t.Errorf("RegisterClient in the tunnel after shutdown answered %d, want the tunnel closed", status)
	}
}

// readerConn reads through r, which holds what was buffered after CONNECT.
type readerConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *readerConn) Read(p []byte) (int, error) { return c.r.Read(p) }
