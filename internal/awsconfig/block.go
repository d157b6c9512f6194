package awsconfig

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ssocli/ssocli/internal/usererr"
)

// Block is a run of profiles that a program owns inside a config file,
// between two marker lines, so that running it again replaces its profiles
// instead of adding duplicates (configure populate's block).
type Block struct {
	// Begin and End are the marker lines (comments, e.g. "# BEGIN x").
	Begin, End string
	// Comment lines written right after Begin, each a whole comment line.
	Comment []string
	// Profiles are the profiles the block must hold.
	Profiles []BlockProfile
	// Prune removes the block's profiles that Profiles lacks; without it they
	// are kept.
	Prune bool
}

// BlockProfile is one profile of a Block: its name and its keys in order.
type BlockProfile struct {
	Name   string
	Values []KeyValue
}

// BlockResult counts what ReplaceBlock did to the profiles.
type BlockResult struct {
	Added, Updated, Removed, Unchanged, Kept int
	// Skipped are the wanted profiles that are defined outside the block; they
	// are left alone and not written in the block.
	Skipped []string
}

// ReplaceBlock rewrites the block to hold b.Profiles, sorted by name; a file
// without the block gets it at its end, after a blank line. Keys a user added
// to a block profile are kept (after the wanted keys, in the file's order).
// Profiles of the old block that b.Profiles lacks stay unless b.Prune, except
// those now defined outside the block (a profile must not be defined twice).
// Every byte outside the block is kept. New lines use the file's line ending.
//
// Every profile name, key and value is checked as Update checks them (an
// *UnsafeEntryError for a line break or another control character), as are
// the marker and comment lines, before anything changes.
func (d *Document) ReplaceBlock(b Block) (*BlockResult, error) {
	for _, line := range append([]string{b.Begin, b.End}, b.Comment...) {
		if i := hasUnsafe(line, true); i >= 0 {
			return nil, &UnsafeEntryError{Section: b.Begin, Part: "marker or comment line", Key: "(block line)", Char: runeAt(line, i)}
		}
	}
	for _, p := range b.Profiles {
		if err := checkEntries(ProfileSection(p.Name), p.Values); err != nil {
			return nil, err
		}
	}
	data := string(d.Bytes())
	before, block, after, found, err := splitBlock(data, b.Begin, b.End)
	if err != nil {
		return nil, err
	}
	outside, err := Parse([]byte(before+after), nil, "")
	if err != nil {
		return nil, usererr.Wrap(usererr.CodeOther, "Unable to parse config file", err)
	}
	inside, err := Parse([]byte(block), nil, "")
	if err != nil {
		return nil, usererr.Wrap(usererr.CodeOther, "Unable to parse the block "+b.Begin+" of the config file", err)
	}
	res := &BlockResult{}
	profiles := map[string][]KeyValue{}
	for _, w := range b.Profiles {
		if _, ok := outside.Profile(w.Name); ok {
			res.Skipped = append(res.Skipped, w.Name)
			continue
		}
		vals := w.Values
		if s, ok := inside.Profile(w.Name); ok {
			vals = mergeKeys(vals, s)
			if sameValues(vals, s) {
				res.Unchanged++
			} else {
				res.Updated++
			}
		} else {
			res.Added++
		}
		profiles[w.Name] = vals
	}
	for _, name := range inside.ProfileNames() {
		if _, ok := profiles[name]; ok {
			continue
		}
		if b.Prune {
			res.Removed++
			continue
		}
		if _, ok := outside.Profile(name); ok {
			continue // now defined outside: the block must not define it twice
		}
		s, _ := inside.Profile(name)
		profiles[name] = mergeKeys(nil, s)
		res.Kept++
	}
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	eol := d.eol
	var w strings.Builder
	w.WriteString(b.Begin + eol)
	for _, c := range b.Comment {
		w.WriteString(c + eol)
	}
	for i, n := range names {
		if i > 0 {
			w.WriteString(eol)
		}
		w.WriteString("[" + ProfileSection(n) + "]" + eol)
		for _, kv := range profiles[n] {
			w.WriteString(kv.Key + " = " + kv.Value + eol)
		}
	}
	w.WriteString(b.End + eol)
	if !found {
		if before != "" && !strings.HasSuffix(before, "\n") {
			before += eol
		}
		if before != "" && !strings.HasSuffix(before, "\n\n") && !strings.HasSuffix(before, "\r\n\r\n") {
			before += eol
		}
	}
	d.lines = splitDocument([]byte(before + w.String() + after)).lines
	return res, nil
}

// mergeKeys returns vals followed by the keys of s that vals does not set,
// in the file's order.
func mergeKeys(vals []KeyValue, s Section) []KeyValue {
	out := append([]KeyValue(nil), vals...)
	for _, k := range s.Keys {
		v, ok := s.Values[k]
		if !ok {
			continue
		}
		dup := false
		for _, kv := range vals {
			dup = dup || kv.Key == k
		}
		if !dup {
			out = append(out, KeyValue{Key: k, Value: v})
		}
	}
	return out
}

func sameValues(vals []KeyValue, s Section) bool {
	if len(vals) != len(s.Values) {
		return false
	}
	for _, kv := range vals {
		if v, ok := s.Values[kv.Key]; !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// splitBlock cuts data around the lines begin and end (whole lines, both
// included in block). Without a block, before is all of data.
func splitBlock(data, begin, end string) (before, block, after string, found bool, err error) {
	bi := lineIndex(data, begin, 0)
	if bi < 0 {
		return data, "", "", false, nil
	}
	ei := lineIndex(data, end, bi)
	if ei < 0 {
		return "", "", "", false, usererr.New(usererr.CodeConfig, fmt.Sprintf("The config file has the line %q but not %q after it.", begin, end)).
			WithHint("restore or remove the marker line, then run the command again")
	}
	stop := ei + len(end)
	if stop < len(data) && data[stop] == '\r' {
		stop++
	}
	if stop < len(data) && data[stop] == '\n' {
		stop++
	}
	return data[:bi], data[bi:stop], data[stop:], true, nil
}

// lineIndex finds line as a whole line (trailing spaces and CR allowed) at
// or after from.
func lineIndex(data, line string, from int) int {
	for i := from; i < len(data); {
		j := strings.IndexByte(data[i:], '\n')
		l := data[i:]
		if j >= 0 {
			l = data[i : i+j]
		}
		if strings.TrimRight(l, " \t\r") == line {
			return i
		}
		if j < 0 {
			break
		}
		i += j + 1
	}
	return -1
}
