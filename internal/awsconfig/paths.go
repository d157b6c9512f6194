package awsconfig

import "strings"

// Paths returns the config and credentials file paths the AWS CLI uses (spec §1.1):
// AWS_CONFIG_FILE or ~/.aws/config, AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials,
// each passed through Python's os.path.expandvars and then os.path.expanduser with
// home standing for "~".
//
// getenv cannot tell an empty variable from an unset one, so an empty
// AWS_CONFIG_FILE counts as unset (botocore would use the empty path, which names
// no file, and read an empty config).
func Paths(getenv func(string) string, home string) (configPath, credentialsPath string) {
	configPath = getenv("AWS_CONFIG_FILE")
	if configPath == "" {
		configPath = "~/.aws/config"
	}
	credentialsPath = getenv("AWS_SHARED_CREDENTIALS_FILE")
	if credentialsPath == "" {
		credentialsPath = "~/.aws/credentials"
	}
	return expandUser(expandVars(configPath, getenv), home), expandUser(expandVars(credentialsPath, getenv), home)
}

// expandVars is Python's posixpath.expandvars: $NAME and ${NAME} are replaced by
// the variable's value, where NAME is ASCII word characters (or anything up to
// "}" in the braced form); unknown (here: empty) variables are left as written.
func expandVars(path string, getenv func(string) string) string {
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

// expandUser is Python's posixpath.expanduser for the current user: a leading "~"
// up to the first "/" becomes home. "~other" forms are left alone (we do not look
// up other users' home directories).
func expandUser(path, home string) string {
	if !strings.HasPrefix(path, "~") {
		return path
	}
	i := strings.IndexByte(path, '/')
	if i < 0 {
		i = len(path)
	}
	if i != 1 {
		return path
	}
	h := strings.TrimRight(home, "/")
	if h+path[i:] == "" {
		return "/"
	}
	return h + path[i:]
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
