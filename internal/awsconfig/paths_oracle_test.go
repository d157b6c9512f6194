package awsconfig

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	"github.com/ssocli/ssocli/internal/testutil/require"
)

// pathEnvs are the environments the path oracle runs each input under.
var pathEnvs = map[string][]map[string]string{
	"nt": {
		{"USERPROFILE": `C:\Users\alice`, "USERNAME": "alice", "X": "x", "APPDATA": `C:\Users\alice\AppData\Roaming`, "A-B": "hy", "Y": `%X%`},
		{"USERPROFILE": `C:\Users\alice`, "HOME": "/home/ignored", "USERNAME": "alice"},
		{"HOME": "/home/ignored", "X": "x"},
		{"HOMEDRIVE": "C:", "HOMEPATH": `\Users\bob`, "USERNAME": "bob"},
		{"HOMEPATH": `\Users\carol`, "USERNAME": "carol"},
		{"HOMEDRIVE": `\\srv\share`, "HOMEPATH": `\`, "USERNAME": "dave"},
		{"HOMEDRIVE": `\\srv\share`, "HOMEPATH": `home\dave`, "USERNAME": "dave"},
		{"HOMEDRIVE": "D:", "HOMEPATH": `rel\dir`, "USERNAME": "dir"},
		{"HOMEDRIVE": "D:", "HOMEPATH": `E:\other`, "USERNAME": "other"},
		{"USERPROFILE": `\\srv\home\dave`, "USERNAME": "dave"},
		{"USERPROFILE": `\\srv\home`, "USERNAME": "home"},
		{"USERPROFILE": `C:\Users\eve\`, "USERNAME": "eve"},
		{"USERPROFILE": `C:\Users\frank`, "USERNAME": "someone"},
		{"USERPROFILE": `C:\Users\frank`},
		{"USERPROFILE": `C:\`, "USERNAME": "x"},
		{"USERPROFILE": `C:/Users/gina`, "USERNAME": "gina"},
		{"USERPROFILE": `é:\Users\hé`, "USERNAME": "hé"},
		{},
	},
	"posix": {
		{"HOME": "/home/u", "X": "x", "Y": "$X", "A-B": "hy"},
		{"HOME": "/home/u/"},
		{"HOME": "/"},
		{"HOME": "//"},
		{"HOME": "relative/home", "X": "x"},
		{"USERPROFILE": `C:\Users\alice`, "X": "x"},
	},
}

// pathInputs are the paths every environment expands.
var pathInputs = []string{
	"", "~", "~/", `~\`, "~/.aws/config", `~\.aws\config`, `~/.aws\config`, "~~", "x~/y", " ~/x",
	`~bob\cfg`, "~bob/cfg", "~alice", `~alice\cfg`, "~eve/x", "~dave", "~x", "~root/x", "~nobody", "~no_such_user_zz/x", "~c:x",
	`%USERPROFILE%\.aws\config`, `%APPDATA%\aws\config`, `%NOPE%\x`, "%%", "%%X%%", "100%", "%a%%b%", "a%%b", "%X", "%X%%X%", "%Y%", "%x%",
	`$X\y`, "${X}y", "$X-y", "$A-B", "${A-B}", `'$X'\%X%`, "'unterminated $X", "a'b'$X'c", "$$X", "$$$X", "$", "x$", "${", "${X", "${}", "$1", "$é", "$X$X",
	"~%X%", "~$X", "%USERPROFILE%", "~/%X%/$X/${X}", `C:\$X\%X%`, `\\srv\share\$X`, "é:", "/etc/aws/$X.cfg", "$NOPE/${NOPE}", "${Y}", "%Y%",
}

// TestPathsMatchPython expands every input under every environment with the
// Windows rules (ntpath) and the Unix rules (posixpath) and compares with
// Python's own modules: both run on Linux, so the Windows rules are checked
// here. It needs a python3 (skipped without one, failed under CI).
func TestPathsMatchPython(t *testing.T) {
	t.Parallel()
	py := require.Command(t, "python3")
	type pyCase struct {
		Flavor string            `json:"flavor"`
		Env    map[string]string `json:"env"`
		Path   string            `json:"path"`
	}
	var cases []pyCase
	for _, flavor := range []string{"nt", "posix"} {
		for _, env := range pathEnvs[flavor] {
			for _, p := range pathInputs {
				cases = append(cases, pyCase{flavor, env, p})
			}
		}
	}
	body, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/paths_oracle.py")
	cmd.Stdin = bytes.NewReader(body)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 paths oracle: %v", err)
	}
	var want []struct{ Home, Path string }
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("oracle output: %v", err)
	}
	if len(want) != len(cases) {
		t.Fatalf("oracle answered %d cases, want %d", len(want), len(cases))
	}
	for i, c := range cases {
		getenv := envFunc(c.Env)
		goos, fallback := "windows", func() string { return "" } // ntpath does not look further than the variables
		if c.Flavor == "posix" {
			goos, fallback = "linux", currentUserHome // posixpath asks pwd, as os/user does
		}
		home := homeDir(goos, getenv, fallback)
		gotHome := expandPath(goos, "~", getenv, home, lookupUserHome)
		got := expandPath(goos, c.Path, getenv, home, lookupUserHome)
		if gotHome != want[i].Home || got != want[i].Path {
			t.Errorf("%s env %v path %q: got home %q, path %q; Python's %spath: %q, %q",
				c.Flavor, c.Env, c.Path, gotHome, got, c.Flavor, want[i].Home, want[i].Path)
		}
	}
}
