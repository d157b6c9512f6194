package idc_test

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/ssocli/ssocli/internal/idc"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/idc/store"
)

// TestDamagedStateFile: a server on a state file with damaged pages does
// not start, with an error naming the file and the fix; damage that appears
// while it runs makes requests fail with 500, never drops a connection and
// never wedges the store: the requests after them are answered too.
func TestDamagedStateFile(t *testing.T) {
	t.Parallel()
	clk := newClock()
	dir := t.TempDir()
	path := filepath.Join(dir, idc.StateFile)
	ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now), idctest.WithDataDir(dir), idctest.WithPersistentState())
	c := newClients(ts)
	for range 20 {
		login(t, c, clk, []string{"sso:account:access"})
	}
	// damage makes the page id in the header of every page but the two
	// meta pages wrong (its low byte that of the next page), in the file
	// the running server has mapped.
	damage := func() {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		const pageSize = 4096 // bbolt's page size is the OS page size
		for pg := 2; pg < int(fi.Size())/pageSize; pg++ {
			if _, err := f.WriteAt([]byte{byte(pg + 1)}, int64(pg*pageSize)); err != nil {
				t.Fatal(err)
			}
		}
	}
	damage()
	register := func() (int, error) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+"/client/register", strings.NewReader(`{"clientName":"x","clientType":"public"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := ts.Client().Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	for i := range 3 {
		status, err := register()
		if err != nil {
			t.Fatalf("RegisterClient %d on the damaged file: %v, want an answer", i+1, err)
		}
		if status != http.StatusInternalServerError {
			t.Errorf("RegisterClient %d on the damaged file: status %d, want 500", i+1, status)
		}
	}
	_, err := c.oidc.RegisterClient(t.Context(), &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("public")})
	if got := errCode(err); got != "InternalServerException" {
		t.Errorf("RegisterClient with the SDK on the damaged file: %q, want InternalServerException", got)
	}
	if err := ts.Close(); err != nil {
		t.Logf("closing the server on the damaged file: %v", err)
	}

	damage() // whatever the server wrote last, the file is damaged again
	_, err = idc.New(idc.Config{DataDir: dir, PersistState: true})
	if !errors.Is(err, store.ErrDamaged) {
		t.Fatalf("starting on the damaged file: %v, want store.ErrDamaged", err)
	}
	for _, want := range []string{path, "move the file away"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}
