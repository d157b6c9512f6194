package awsconfig

import (
	"os/user"
	"runtime"
	"strings"
	"unicode/utf8"
)

// Hand-written because byte compatibility needs it: botocore turns a config
// path into a file name with os.path.expandvars and then os.path.expanduser
// (botocore/configloader.py raw_config_parse), which is Python's ntpath on
// Windows and posixpath elsewhere. The two differ ("%VAR%", quotes, "$$", and
// whether "\" ends "~"), so both are here, chosen by GOOS, and checked against
// Python's own modules (paths_oracle_test.go; ntpath runs on Linux too). The
// ports follow Python 3.11.

// HomeDir returns the home directory that the AWS CLI and the AWS SDKs use on
// this system, the one "~" stands for:
//   - Windows: USERPROFILE, else HOMEDRIVE+HOMEPATH, as Python's
//     ntpath.expanduser (HOME is ignored, as Python 3.8+ and the Go SDK's
//     os.UserHomeDir ignore it, so Git Bash or MSYS2 setting HOME does not
//     split ssocli from the AWS CLI);
//   - elsewhere: HOME, as posixpath.expanduser and os.UserHomeDir.
//
// When those variables are unset it falls back to the user database
// (os/user), as posixpath does with pwd and aws-sdk-go-v2 with user.Current.
func HomeDir(getenv func(string) string) string {
	return homeDir(runtime.GOOS, getenv, currentUserHome)
}

func currentUserHome() string {
	u, err := user.Current()
	if err != nil {
		return ""
	}
	return u.HomeDir
}

func homeDir(goos string, getenv func(string) string, fallback func() string) string {
	if goos == "windows" {
		if h := getenv("USERPROFILE"); h != "" {
			return h
		}
		if p := getenv("HOMEPATH"); p != "" {
			return ntJoin(getenv("HOMEDRIVE"), p)
		}
		return fallback()
	}
	if h := getenv("HOME"); h != "" {
		return h
	}
	return fallback()
}

// Paths returns the config and credentials file paths the AWS CLI uses (spec §1.1):
// AWS_CONFIG_FILE or ~/.aws/config, AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials,
// each passed through Python's os.path.expandvars and then os.path.expanduser with
// home standing for "~", by the rules of the running system (see HomeDir). The
// defaults are joined with the system's separator (C:\Users\me\.aws\config;
// botocore names the same file C:\Users\me/.aws/config).
//
// getenv cannot tell an empty variable from an unset one, so an empty
// AWS_CONFIG_FILE counts as unset (botocore would use the empty path, which names
// no file, and read an empty config), and so does an empty variable inside a path
// (it is left as written; Python would put in the empty value).
func Paths(getenv func(string) string, home string) (configPath, credentialsPath string) {
	return pathsFor(runtime.GOOS, getenv, home, lookupUserHome)
}

// pathsFor is Paths by the rules of goos.
func pathsFor(goos string, getenv func(string) string, home string, lookupHome func(string) (string, bool)) (configPath, credentialsPath string) {
	file := func(variable, name string) string {
		p := getenv(variable)
		if p == "" {
			// filepath.Join("~", ".aws", name) on goos.
			sep := "/"
			if goos == "windows" {
				sep = `\`
			}
			p = "~" + sep + ".aws" + sep + name
		}
		return expandPath(goos, p, getenv, home, lookupHome)
	}
	return file("AWS_CONFIG_FILE", "config"), file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
}

func lookupUserHome(name string) (string, bool) {
	u, err := user.Lookup(name)
	if err != nil {
		return "", false
	}
	return u.HomeDir, true
}

// expandPath is os.path.expanduser(os.path.expandvars(path)) as Python runs it
// on goos, with home standing for the current user's "~". lookupHome finds
// another user's home for "~name" on Unix (pwd.getpwnam).
func expandPath(goos, path string, getenv func(string) string, home string, lookupHome func(string) (string, bool)) string {
	if goos == "windows" {
		return ntExpandUser(ntExpandVars(path, getenv), home, getenv)
	}
	return posixExpandUser(posixExpandVars(path, getenv), home, lookupHome)
}

// posixExpandVars is Python's posixpath.expandvars: $NAME and ${NAME} are replaced by
// the variable's value, where NAME is ASCII word characters (or anything up to
// "}" in the braced form); unknown (here: empty) variables are left as written.
func posixExpandVars(path string, getenv func(string) string) string {
	if !strings.Contains(path, "$") {
		return path
	}
	var b strings.Builder
	i := 0
	for i < len(path) {
		if path[i] != '$' {
			b.WriteByte(path[i])
			i++
			continue
		}
		var name string
		end := i + 1
		if end < len(path) && path[end] == '{' {
			close := strings.IndexByte(path[end+1:], '}')
			if close < 0 {
				b.WriteByte('$')
				i++
				continue
			}
			name = path[end+1 : end+1+close]
			end = end + 1 + close + 1
		} else {
			for end < len(path) && isWordByte(path[end]) {
				end++
			}
			name = path[i+1 : end]
			if name == "" {
				b.WriteByte('$')
				i++
				continue
			}
		}
		if v := getenv(name); v != "" {
			b.WriteString(v)
		} else {
			b.WriteString(path[i:end])
		}
		i = end
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// posixExpandUser is Python's posixpath.expanduser: a leading "~" up to the first
// "/" becomes home (without its trailing slashes), "~name" becomes that user's
// home when lookupHome knows the user, and anything else is left alone.
func posixExpandUser(path, home string, lookupHome func(string) (string, bool)) string {
	if !strings.HasPrefix(path, "~") {
		return path
	}
	i := strings.IndexByte(path, '/')
	if i < 0 {
		i = len(path)
	}
	h := home
	if i != 1 {
		var ok bool
		if lookupHome == nil {
			return path
		}
		if h, ok = lookupHome(path[1:i]); !ok {
			return path
		}
	}
	h = strings.TrimRight(h, "/")
	if h+path[i:] == "" {
		return "/"
	}
	return h + path[i:]
}

// ntExpandVars is Python's ntpath.expandvars: %NAME%, $NAME (NAME of ASCII
// letters, digits, "_" and "-") and ${NAME} are replaced by the variable's
// value and unknown (here: empty) ones are left as written; "%%" and "$$"
// stand for "%" and "$"; nothing inside '...' is expanded. Windows compares
// variable names without case; os.Getenv does that there.
func ntExpandVars(path string, getenv func(string) string) string {
	if !strings.ContainsAny(path, "$%") {
		return path
	}
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(path[i+1:], '\'')
			if j < 0 {
				b.WriteString(path[i:])
				return b.String()
			}
			b.WriteString(path[i : i+j+2])
			i += j + 1
		case c == '%' && strings.HasPrefix(path[i+1:], "%"):
			b.WriteByte('%')
			i++
		case c == '%':
			j := strings.IndexByte(path[i+1:], '%')
			if j < 0 {
				b.WriteString(path[i:])
				return b.String()
			}
			name := path[i+1 : i+1+j]
			if v := getenv(name); v != "" {
				b.WriteString(v)
			} else {
				b.WriteString("%" + name + "%")
			}
			i += j + 1
		case c == '$' && strings.HasPrefix(path[i+1:], "$"):
			b.WriteByte('$')
			i++
		case c == '$' && strings.HasPrefix(path[i+1:], "{"):
			j := strings.IndexByte(path[i+2:], '}')
			if j < 0 {
				b.WriteString(path[i:])
				return b.String()
			}
			name := path[i+2 : i+2+j]
			if v := getenv(name); v != "" {
				b.WriteString(v)
			} else {
				b.WriteString("${" + name + "}")
			}
			i += j + 2
		case c == '$':
			j := i + 1
			for j < len(path) && (isWordByte(path[j]) || path[j] == '-') {
				j++
			}
			name := path[i+1 : j]
			if v := getenv(name); v != "" && name != "" {
				b.WriteString(v)
			} else {
				b.WriteString("$" + name)
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ntExpandUser is Python's ntpath.expanduser: a leading "~" up to the first "/"
// or "\" becomes home as it is (no separator trimmed). For "~name" it guesses,
// as Python does, that profiles sit side by side: when USERNAME is the last
// element of home, "~name" is home's parent joined with name. With no home it
// leaves the path alone.
func ntExpandUser(path, home string, getenv func(string) string) string {
	if !strings.HasPrefix(path, "~") {
		return path
	}
	i := 1
	for i < len(path) && !isNTSep(path[i]) {
		i++
	}
	if home == "" {
		return path
	}
	if i != 1 {
		target, current := path[1:i], getenv("USERNAME")
		if target != current {
			head, tail := ntSplit(home)
			if current == "" || current != tail {
				return path
			}
			home = ntJoin(head, target)
		}
	}
	return home + path[i:]
}

func isNTSep(c byte) bool { return c == '\\' || c == '/' }

// ntSplitDrive is Python 3.11's ntpath.splitdrive: a drive letter and colon,
// or a UNC "\\server\share" (also "\\?\UNC\server\share"), and the rest.
func ntSplitDrive(p string) (drive, rest string) {
	if len(p) < 2 {
		return "", p
	}
	norm := strings.ReplaceAll(p, "/", `\`)
	if strings.HasPrefix(norm, `\\`) {
		start := 2
		if len(norm) >= 8 && strings.EqualFold(norm[:8], `\\?\UNC\`) {
			start = 8
		}
		k := strings.IndexByte(norm[start:], '\\')
		if k < 0 {
			return p, ""
		}
		k += start
		k2 := strings.IndexByte(norm[k+1:], '\\')
		if k2 < 0 {
			return p, ""
		}
		k2 += k + 1
		return p[:k2], p[k2:]
	}
	// Python indexes characters, not bytes: the colon follows the first one.
	_, n := utf8.DecodeRuneInString(p)
	if n < len(p) && p[n] == ':' {
		return p[:n+1], p[n+1:]
	}
	return "", p
}

// ntSplit is Python's ntpath.split: (head, tail) around the last separator,
// with the head's trailing separators removed unless it is only separators.
func ntSplit(p string) (head, tail string) {
	d, rest := ntSplitDrive(p)
	i := len(rest)
	for i > 0 && !isNTSep(rest[i-1]) {
		i--
	}
	head, tail = rest[:i], rest[i:]
	if h := strings.TrimRight(head, `\/`); h != "" {
		head = h
	}
	return d + head, tail
}

// ntJoin is Python 3.11's ntpath.join of two paths.
func ntJoin(a, p string) string {
	rd, rp := ntSplitDrive(a)
	pd, pp := ntSplitDrive(p)
	switch {
	case pp != "" && isNTSep(pp[0]):
		if pd != "" || rd == "" {
			rd = pd
		}
		rp = pp
	case pd != "" && pd != rd && strings.ToLower(pd) != strings.ToLower(rd):
		rd, rp = pd, pp
	default:
		if pd != "" {
			rd = pd
		}
		if rp != "" && !isNTSep(rp[len(rp)-1]) {
			rp += `\`
		}
		rp += pp
	}
	if rp != "" && !isNTSep(rp[0]) && rd != "" && !strings.HasSuffix(rd, ":") {
		return rd + `\` + rp
	}
	return rd + rp
}

// SelectProfile returns the profile a command uses (spec §1.1): the --profile flag,
// then AWS_PROFILE, then AWS_DEFAULT_PROFILE, then "default". explicit reports whether
// a flag or variable named it; only an explicitly named profile must exist.
func SelectProfile(flag string, getenv func(string) string) (name string, explicit bool) {
	if flag != "" {
		return flag, true
	}
	if v := getenv("AWS_PROFILE"); v != "" {
		return v, true
	}
	if v := getenv("AWS_DEFAULT_PROFILE"); v != "" {
		return v, true
	}
	return "default", false
}
