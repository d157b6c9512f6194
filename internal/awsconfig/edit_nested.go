package awsconfig

import "strings"

// SetNested sets subKey inside the sub-section key of a section, as
// `aws configure set s3.max_concurrent_requests 20` does: botocore's nested
// form, a "key =" line followed by indented "subKey = value" lines. It edits
// the way the AWS CLI's ConfigFileWriter does (_update_subattributes and
// _insert_new_values): an existing sub-key is rewritten in place, keeping its
// indent; a new one goes, indented four spaces, after the sub-section's last
// line (before the next line at the key's own indent or the next section); a
// missing "key =" is added as the section's last option; a missing section is
// appended. Every other byte is kept.
//
// Deliberate differences from the AWS CLI, as in Update: the parent key
// matches case-insensitively (botocore lower-cases it) but the sub-key
// case-sensitively (botocore keeps its case); only a line indented deeper than
// "key =" is a sub-key, so a top-level option of the same name after the
// sub-section is never rewritten (the AWS CLI rewrites `region = x` when asked
// for s3.region); and where the AWS CLI's writer would stop with an
// UnboundLocalError (a blank line right after "key =", or "key =" as the
// file's last line) the sub-key is added.
//
// The names and the value are checked as Update checks them; an
// *UnsafeEntryError names "key.subKey" and nothing changes.
func (d *Document) SetNested(section, key, subKey, value string) error {
	if err := checkEntries(section, []KeyValue{{key, ""}}); err != nil {
		return err
	}
	if err := checkEntries(section, []KeyValue{{subKey, value}}); err != nil {
		if u, ok := err.(*UnsafeEntryError); ok {
			u.Key = key + "." + subKey
		}
		return err
	}
	whole := []string{key + " =" + d.eol, "    " + subKey + " = " + value + d.eol}
	start := d.findSection(section)
	if start < 0 {
		d.appendSection(section, nil)
		d.insertLines(len(d.lines), whole)
		return nil
	}
	found, foundIndent := -1, 0
	last, atSection := d.scanSection(start, func(j int, k string, indent int) bool {
		if pyLower(k) == pyLower(key) {
			found, foundIndent = j, indent
			return true
		}
		return false
	})
	switch {
	case found >= 0:
		d.updateSub(found, foundIndent, subKey, value)
		return nil
	case atSection:
		d.insertLines(last+1, whole)
		return nil
	}
	// The end of the file inside the section: as Update does.
	d.terminateLast()
	d.insertLines(min(last+2, len(d.lines)), whole)
	return nil
}

// updateSub is the AWS CLI's _update_subattributes for one sub-key: the lines
// after the "key =" line at index at (indented by indent) are its sub-section
// until the next option line at that indent or the next section line.
func (d *Document) updateSub(at, indent int, subKey, value string) {
	cur := -1 // the AWS CLI's current_indent: that of the last option line seen
	for i := at + 1; i < len(d.lines); i++ {
		line := d.lines[i]
		if looksLikeOption(line) {
			cur = optionIndent(line)
			stripped := pyStrip(line)
			k := pyStrip(stripped[:strings.IndexAny(stripped, "=:")])
			if cur > indent && k == subKey {
				d.lines[i] = strings.Repeat(" ", cur) + subKey + " = " + value + d.lineEnding(line)
				return
			}
		}
		if cur == indent || isSectionLine(line) {
			d.insertLines(i, []string{"    " + subKey + " = " + value + d.eol})
			return
		}
	}
	// The sub-section runs to the end of the file.
	d.terminateLast()
	d.insertLines(len(d.lines), []string{"    " + subKey + " = " + value + d.eol})
}

// optionIndent is the indent the AWS CLI's writer measures for an option line:
// that of the OPTION_REGEX match, which starts after any leading ":" or "=".
func optionIndent(line string) int {
	i := 0
	for i < len(line) && (line[i] == ':' || line[i] == '=') {
		i++
	}
	return leadingSpace(line[i:])
}

// terminateLast gives the last line a line ending if it has none.
func (d *Document) terminateLast() {
	if n := len(d.lines); n > 0 && !strings.HasSuffix(d.lines[n-1], "\n") {
		d.lines[n-1] += d.eol
	}
}

// insertLines inserts whole lines (with their endings) before index at.
func (d *Document) insertLines(at int, add []string) {
	d.lines = append(d.lines[:at], append(append([]string(nil), add...), d.lines[at:]...)...)
}
