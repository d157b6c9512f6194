package awsconfig

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// indexHome is a config of n profiles, big enough to be indexed, in a fresh
// directory, with where its index goes.
func indexHome(t *testing.T, n int) (cfg, indexDir string) {
	t.Helper()
	dir := t.TempDir()
	cfg = filepath.Join(dir, "config")
	if err := writeFile(cfg, benchConfig(n)); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(cfg); fi.Size() < indexMinSize {
		t.Fatalf("the config of %d profiles (%d bytes) is too small to be indexed", n, fi.Size())
	}
	return cfg, filepath.Join(dir, "cache", "config-index")
}

func regionOf(t *testing.T, c *Config, profile string) string {
	t.Helper()
	p, ok := c.Profile(profile)
	if !ok {
		t.Fatalf("no profile %s", profile)
	}
	return p.Values["region"]
}

// TestIndexIsUsed: the first Load writes the index and the next one builds
// its parse from it: an index that maps the file differently (two sections'
// headers swapped, checksums fixed up) shows in what Load returns.
func TestIndexIsUsed(t *testing.T) {
	cfg, dir := indexHome(t, 600)
	if _, err := LoadIndexed(cfg, "", dir); err != nil {
		t.Fatal(err)
	}
	path := IndexPath(dir, cfg)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no index after the first Load: %v", err)
	}
	data, _ := os.ReadFile(cfg)
	s := string(data)
	// Make team0001 the header of team0002's lines and the other way round.
	f, err := parseINIString(s)
	if err != nil {
		t.Fatal(err)
	}
	var a, c *rawSection
	for _, r := range f.sections {
		switch r.header {
		case "profile team0001-ReadOnly":
			a = r
		case "profile team0002-ReadOnly":
			c = r
		}
	}
	a.body, c.body = c.body, a.body
	forged := encodeIndex(f, s, fileSum(s))
	if forged == nil || len(forged) != len(b) {
		t.Fatalf("forged index: %d bytes, the real one %d", len(forged), len(b))
	}
	if err := os.WriteFile(path, forged, 0o600); err != nil {
		t.Fatal(err)
	}
	// The generated profiles differ in their account ids.
	got, err := LoadIndexed(cfg, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := got.Profile("team0001-ReadOnly")
	if p.Values["sso_account_id"] != "100000000002" {
		t.Fatalf("Load did not read the index: team0001's account is %q", p.Values["sso_account_id"])
	}
}

// TestIndexFollowsTheFile: an edit that keeps the file's size and times but
// adds a section is read from the file, and the index is rewritten for the
// new bytes. (A stale index would lose the section: its offsets are those of
// the old lines.)
func TestIndexFollowsTheFile(t *testing.T) {
	cfg, dir := indexHome(t, 600)
	if _, err := LoadIndexed(cfg, "", dir); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(cfg)
	data, _ := os.ReadFile(cfg)
	old, added := "sso_role_name = ReadOnly\n", "[profile zz]\nk = 1234567\n"
	if len(old) != len(added) {
		t.Fatal("the edit must keep the size")
	}
	i := strings.LastIndex(string(data), old)
	edited := string(data[:i]) + added + string(data[i+len(old):])
	if err := writeFile(cfg, edited); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(cfg, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	c, err := LoadIndexed(cfg, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := c.Profile("zz"); !ok || p.Values["k"] != "1234567" {
		t.Fatalf("after the edit profile zz is %v, %v: the stale index was used", p.Values, ok)
	}
	b, err := os.ReadFile(IndexPath(dir, cfg))
	if err != nil || decodeIndex(b, edited, fileSum(edited)) == nil {
		t.Fatalf("the index was not rewritten for the new bytes (%v)", err)
	}
}

// TestIndexNeverHoldsAnError: a file that fails to parse gets no index, so
// the same error comes back every time.
func TestIndexNeverHoldsAnError(t *testing.T) {
	cfg, dir := indexHome(t, 600)
	data, _ := os.ReadFile(cfg)
	if err := writeFile(cfg, string(data)+"[profile team0005-ReadOnly]\nregion = x\n"); err != nil {
		t.Fatal(err)
	}
	want := ""
	for range 2 {
		_, err := LoadIndexed(cfg, "", dir)
		if err == nil || !strings.Contains(err.Error(), "Unable to parse config file") {
			t.Fatalf("Load of a file with a duplicate section: %v", err)
		}
		if want == "" {
			want = err.Error()
		} else if err.Error() != want {
			t.Fatalf("the second Load said %q, the first %q", err, want)
		}
	}
	if _, err := os.Stat(IndexPath(dir, cfg)); !os.IsNotExist(err) {
		t.Fatalf("a file that does not parse got an index (%v)", err)
	}
}

// TestDamagedIndexIsIgnored: a truncated index, one with a flipped byte, one
// of another file of the same length and one whose offsets run past the file
// are all ignored (the parse is the file's) and replaced.
func TestDamagedIndexIsIgnored(t *testing.T) {
	cfg, dir := indexHome(t, 600)
	if _, err := LoadIndexed(cfg, "", dir); err != nil {
		t.Fatal(err)
	}
	path := IndexPath(dir, cfg)
	good, _ := os.ReadFile(path)
	data, _ := os.ReadFile(cfg)
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 1
	other := strings.Replace(string(data), "team0007", "team7000", 1)
	f, _ := parseINIString(other)
	otherIndex := encodeIndex(f, other, fileSum(other))
	pastEnd := append([]byte(nil), good[:len(good)-4]...)
	binary.LittleEndian.PutUint32(pastEnd[len(pastEnd)-indexEntry+8:], uint32(len(data)))
	pastEnd = binary.LittleEndian.AppendUint32(pastEnd, crc32.ChecksumIEEE(pastEnd))
	for name, b := range map[string][]byte{
		"truncated": good[:len(good)-7], "flipped": flipped, "another file's": otherIndex,
		"past the end": pastEnd, "empty": nil, "magic only": []byte(indexMagic),
	} {
		if decodeIndex(b, string(data), fileSum(string(data))) != nil {
			t.Errorf("the %s index was accepted", name)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := LoadIndexed(cfg, "", dir)
		if err != nil {
			t.Fatalf("%s index: %v", name, err)
		}
		if _, ok := c.Profile("team0007-ReadOnly"); !ok {
			t.Fatalf("%s index: team0007 is missing", name)
		}
		if b, _ := os.ReadFile(path); string(b) != string(good) {
			t.Errorf("the %s index was not replaced", name)
		}
	}
}

// TestIndexCannotBeWritten: when the index directory cannot be made (a file
// stands in its way) Load parses as before.
func TestIndexCannotBeWritten(t *testing.T) {
	cfg, dir := indexHome(t, 600)
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(dir, "not a directory"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		c, err := LoadIndexed(cfg, "", dir)
		if err != nil {
			t.Fatal(err)
		}
		if r := regionOf(t, c, "team0599-ReadOnly"); r != "us-west-2" {
			t.Fatalf("region %q", r)
		}
	}
}

// TestSmallFilesAreNotIndexed: below indexMinSize the parse is cheaper than
// the index, and none is written.
func TestSmallFilesAreNotIndexed(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := writeFile(cfg, benchConfig(3)); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIndexed(cfg, "", filepath.Join(dir, "index")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index")); !os.IsNotExist(err) {
		t.Fatalf("a small file got an index directory (%v)", err)
	}
}
