package ssocache_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/ssocache"
)

// The cache storm: stormProcs processes each replace one role-credentials
// file and read it back stormRounds times, 1,000 replaces and 1,000 reads in
// all. As in ssocli, a write holds the
// file's cross-process lock and a read takes none (neither do the AWS CLI's
// and the SDKs' reads), so each write races up to three readers. Every write
// and every read must succeed and every read must see one whole version. On Windows this is
// what the retry layer is for: there a rename over a file another process has
// open fails with "Access denied" and an open during a rename with "Sharing
// violation" (research/portability.md §3.5). CI runs it under Wine too.
const (
	stormProcs  = 4
	stormRounds = 250
	stormEnv    = "SSOCLI_TEST_STORM" // home,id: this process is a storm child
)

func stormPath(home string) string {
	return ssocache.RoleCredsPath(home, "111122223333", "ReadOnly", "my-sso", "")
}

// stormCreds is the version of the file that process id writes; versions
// differ in length, so a torn or mixed read cannot pass as another version.
func stormCreds(id int) *ssocache.RoleCredentials {
	return &ssocache.RoleCredentials{
		AccessKeyID:     fmt.Sprintf("ASIASTORM%011d", id),
		SecretAccessKey: strings.Repeat("s", 40),
		SessionToken:    strings.Repeat(string(rune('a'+id)), 300+500*id),
		Expiration:      time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		AccountID:       "111122223333",
	}
}

func TestCacheStormAcrossProcesses(t *testing.T) {
	if v := os.Getenv(stormEnv); v != "" {
		stormChild(t, v)
		return
	}
	home := t.TempDir()
	path := stormPath(home)
	if err := ssocache.WriteRoleCredentials(path, stormCreds(0)); err != nil {
		t.Fatal(err)
	}
	cmds := make([]*exec.Cmd, stormProcs)
	outs := make([]*bytes.Buffer, stormProcs)
	for i := range cmds {
		outs[i] = new(bytes.Buffer)
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestCacheStormAcrossProcesses$", "-test.count=1")
		cmds[i].Env = append(os.Environ(), stormEnv+"="+home+","+strconv.Itoa(i))
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("storm process %d: %v\n%s", i, err, outs[i])
		} else if !strings.Contains(outs[i].String(), fmt.Sprintf("storm: %d writes, %d reads, 0 failed, 0 partial", stormRounds, stormRounds)) {
			t.Errorf("storm process %d did not report a clean storm:\n%s", i, outs[i])
		}
	}
	if _, err := ssocache.ReadRoleCredentials(path); err != nil {
		t.Errorf("after the storm: %v", err)
	}
}

// stormChild is one storm process: it writes its version and reads whatever
// version is there, stormRounds times, and fails on the first failed
// operation or foreign read.
func stormChild(t *testing.T, v string) {
	home, idText, _ := strings.Cut(v, ",")
	path := stormPath(home)
	id, err := strconv.Atoi(idText)
	if err != nil {
		t.Fatalf("%s=%q: %v", stormEnv, v, err)
	}
	valid := map[string]bool{}
	for i := range stormProcs {
		valid[string(stormCreds(i).Marshal())] = true
	}
	mine := stormCreds(id)
	var failed, partial int
	for round := range stormRounds {
		if err := stormWrite(home, path, mine); err != nil {
			failed++
			t.Errorf("round %d: write: %v", round, err)
		}
		c, err := ssocache.ReadRoleCredentials(path)
		if err != nil {
			failed++
			t.Errorf("round %d: read: %v", round, err)
			continue
		}
		if !valid[string(c.Marshal())] {
			partial++
			t.Errorf("round %d: read a version nobody wrote (access key %q, token of %d bytes)", round, c.AccessKeyID, len(c.SessionToken))
		}
		if failed+partial >= 10 {
			t.Fatalf("storm: stopped after %d failed and %d partial operations", failed, partial)
		}
	}
	fmt.Printf("storm: %d writes, %d reads, %d failed, %d partial\n", stormRounds, stormRounds, failed, partial)
}

// stormWrite replaces the file under its lock, as ssocli's role fetch does.
func stormWrite(home, path string, c *ssocache.RoleCredentials) error {
	// The bound only ends a hung run: how long a writer waits among four
	// (under Wine on a loaded 2-core machine, polling locks are not fair) is
	// for benchmarks, not for this test, which counts failures and torn reads.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	unlock, err := ssocache.Lock(ctx, home, "storm", nil)
	if err != nil {
		return err
	}
	defer unlock()
	return ssocache.WriteRoleCredentials(path, c)
}
