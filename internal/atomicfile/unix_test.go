//go:build unix

package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRefusesFIFOAndSocket, as tailscale's atomicfile test does with a unix
// socket: renaming over a FIFO or a socket would silently break whoever
// listens there.
func TestRefusesFIFOAndSocket(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"fifo", "socket"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			switch kind {
			case "fifo":
				if err := syscall.Mkfifo(path, 0o600); err != nil {
					t.Fatal(err)
				}
			case "socket":
				l, err := net.Listen("unix", path)
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
			}
			before, _ := os.Lstat(path)
			for _, o := range []Options{cacheOpts, {Perm: 0o600, KeepPerm: true, FollowSymlinks: true, InPlace: true}} {
				if err := WriteFile(context.Background(), path, []byte("new"), o); !errors.Is(err, ErrNotRegular) {
					t.Errorf("WriteFile(%+v) over a %s: %v, want ErrNotRegular", o, kind, err)
				}
			}
			after, err := os.Lstat(path)
			if err != nil || !os.SameFile(before, after) {
				t.Errorf("the %s was replaced (%v)", kind, err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only the %s", len(entries), kind)
			}
		})
	}
}

// TestReadFIFOReturnsAtOnce: a FIFO nobody writes to is not waited on (the
// open would block forever without O_NONBLOCK and the stat).
func TestReadFIFOReturnsAtOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, follow := range []bool{false, true} {
		if _, err := ReadFile(context.Background(), path, ReadOptions{MaxSize: 100, FollowSymlinks: follow}); !errors.Is(err, ErrNotRegular) {
			t.Errorf("ReadFile(FIFO, follow=%v): %v, want ErrNotRegular", follow, err)
		}
	}
	// A FIFO behind a link is refused too.
	link := filepath.Join(filepath.Dir(path), "link")
	if err := os.Symlink("fifo", link); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(context.Background(), link, ReadOptions{MaxSize: 100, FollowSymlinks: true}); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile(link to FIFO): %v, want ErrNotRegular", err)
	}
}

// TestPermPolicy: forced modes whatever the umask, or the existing file's.
// Not parallel: the umask is process-wide.
func TestPermPolicy(t *testing.T) {
	for _, umask := range []int{0, 0o022, 0o077, 0o777} {
		t.Run(fmt.Sprintf("umask %04o", umask), func(t *testing.T) {
			dir := t.TempDir()
			old := syscall.Umask(umask)
			defer syscall.Umask(old)
			forced, kept, fresh := filepath.Join(dir, "x", "forced"), filepath.Join(dir, "kept"), filepath.Join(dir, "fresh")
			if err := os.WriteFile(kept, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(kept, 0o640); err != nil {
				t.Fatal(err)
			}
			write := func(p string, o Options) {
				if err := WriteFile(context.Background(), p, []byte("x"), o); err != nil {
					t.Fatal(err)
				}
			}
			write(forced, Options{Perm: 0o600})
			write(forced, Options{Perm: 0o600}) // over an existing file
			write(kept, Options{Perm: 0o600, KeepPerm: true})
			write(fresh, Options{Perm: 0o600, KeepPerm: true})
			syscall.Umask(old)
			got := map[string]fs.FileMode{}
			for _, p := range []string{filepath.Dir(forced), forced, kept, fresh} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				rel, _ := filepath.Rel(dir, p)
				got[rel] = fi.Mode().Perm()
			}
			want := map[string]fs.FileMode{"x": 0o700, "x/forced": 0o600, "kept": 0o640, "fresh": 0o600}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("modes (-want +got):\n%s", d)
			}
		})
	}
}

func TestSymlinkPolicy(t *testing.T) {
	t.Parallel()
	type result struct {
		Err     bool
		Outside string // contents of the outside file afterwards
		Inside  string // contents of the inside target afterwards
		IsLink  bool   // the path is still a link
	}
	for _, tc := range []struct {
		name   string
		link   string // where the link points: "inside", "outside", "dangling-inside", "dangling-outside"
		follow bool
		want   result
	}{
		{"inside, followed", "inside", false, result{Outside: "outside", Inside: "new", IsLink: true}},
		{"outside, refused", "outside", false, result{Err: true, Outside: "outside", Inside: "inside", IsLink: true}},
		{"dangling, refused", "dangling-outside", false, result{Err: true, Outside: "outside", Inside: "inside", IsLink: true}},
		{"outside, FollowSymlinks", "outside", true, result{Outside: "new", Inside: "inside", IsLink: true}},
		{"dangling, FollowSymlinks creates the target", "dangling-outside", true, result{Outside: "outside", Inside: "inside", IsLink: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			cache, other := filepath.Join(root, "cache"), filepath.Join(root, "other")
			for _, d := range []string{cache, other} {
				if err := os.Mkdir(d, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			outside, inside := filepath.Join(other, "f"), filepath.Join(cache, "real")
			os.WriteFile(outside, []byte("outside"), 0o600)
			os.WriteFile(inside, []byte("inside"), 0o600)
			dest := map[string]string{"inside": inside, "outside": outside, "dangling-outside": filepath.Join(other, "new")}[tc.link]
			path := filepath.Join(cache, "f.json")
			if err := os.Symlink(dest, path); err != nil {
				t.Fatal(err)
			}
			err := WriteFile(context.Background(), path, []byte("new"), Options{Perm: 0o600, FollowSymlinks: tc.follow})
			if tc.want.Err && !errors.Is(err, ErrUnsafeSymlink) {
				t.Errorf("err = %v, want ErrUnsafeSymlink", err)
			} else if !tc.want.Err && err != nil {
				t.Errorf("err = %v", err)
			}
			read := func(p string) string { b, _ := os.ReadFile(p); return string(b) }
			fi, _ := os.Lstat(path)
			got := result{Err: err != nil, Outside: read(outside), Inside: read(inside), IsLink: fi != nil && fi.Mode()&fs.ModeSymlink != 0}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if tc.link == "dangling-outside" && tc.follow && read(dest) != "new" {
				t.Errorf("the link's target holds %q, want the new contents", read(dest))
			}
			// The reader follows the same policy.
			b, rerr := ReadFile(context.Background(), path, ReadOptions{MaxSize: 100, FollowSymlinks: tc.follow})
			if tc.link == "outside" && !tc.follow && !errors.Is(rerr, ErrUnsafeSymlink) {
				t.Errorf("ReadFile through an outside link: %q, %v, want ErrUnsafeSymlink", b, rerr)
			}
			if tc.link == "inside" && (rerr != nil || string(b) != "new") {
				t.Errorf("ReadFile through an inside link: %q, %v", b, rerr)
			}
		})
	}
}
