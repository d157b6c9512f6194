package awsconfig

import "strings"

// TopLevelSection returns the section [header] of the config file at path
// when botocore's build_profile_map keeps it as a top-level entry of
// session.full_config: a section that is neither [default] nor one whose
// header starts with "profile", "sso-session" or "services" (such as
// [plugins], [preview], or a bare [p]). Its options inherit [DEFAULT], as
// every section's do. `configure get plugins.NAME` reads these; the
// credential path never does, so Load does not keep them.
func TopLevelSection(path, header string) (Section, bool, error) {
	if header == "default" || strings.HasPrefix(header, "profile") ||
		strings.HasPrefix(header, "sso-session") || strings.HasPrefix(header, "services") {
		return Section{Name: header}, false, nil
	}
	data, err := readOptional(path)
	if err != nil || len(data) == 0 {
		return Section{Name: header}, false, err
	}
	f, err := parseINI(data)
	if err != nil {
		return Section{Name: header}, false, parseFailure(path, err)
	}
	for _, r := range f.sections {
		if r.header == header {
			return fileSection(header, r, f.defaults), true, nil
		}
	}
	return Section{Name: header}, false, nil
}
