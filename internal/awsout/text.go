package awsout

import (
	"bytes"
	"slices"
	"strings"

	"github.com/ssocli/ssocli/internal/termtext"
)

// writeText writes v as the AWS CLI's text format (awscli/text.py, ported
// line by line): a scalar on its own line; an object's scalar members, in
// key order, on one tab-separated line headed by the upper-cased name of the
// member that held it; then each non-scalar member the same way.
func writeText(b *bytes.Buffer, v any) {
	formatText(b, v, "", false, nil)
}

func textLine(v any) string { return termtext.Line(pyStr(v)) }

func formatText(b *bytes.Buffer, item any, identifier string, hasID bool, scalarKeys []string) {
	if m, ok := fields(item); ok {
		formatDict(b, scalarKeys, m, identifier, hasID)
		return
	}
	if l, ok := item.([]any); ok {
		formatList(b, l, identifier, hasID)
		return
	}
	b.WriteString(textLine(item))
	b.WriteByte('\n')
}

func formatList(b *bytes.Buffer, item []any, identifier string, hasID bool) {
	if len(item) == 0 {
		return
	}
	anyDict, anyList := false, false
	for _, el := range item {
		if _, ok := fields(el); ok {
			anyDict = true
		} else if _, ok := el.([]any); ok {
			anyList = true
		}
	}
	switch {
	case anyDict:
		allKeys := allScalarKeys(item)
		for _, el := range item {
			formatText(b, el, identifier, hasID, allKeys)
		}
	case anyList:
		var scalars, nonScalars []any
		for _, el := range item {
			if isScalar(el) {
				scalars = append(scalars, el)
			} else {
				nonScalars = append(nonScalars, el)
			}
		}
		if len(scalars) > 0 {
			formatScalarList(b, scalars, identifier, hasID)
		}
		for _, el := range nonScalars {
			formatText(b, el, identifier, hasID, nil)
		}
	default:
		formatScalarList(b, item, identifier, hasID)
	}
}

func formatScalarList(b *bytes.Buffer, elements []any, identifier string, hasID bool) {
	if hasID {
		for _, el := range elements {
			b.WriteString(termtext.Line(strings.ToUpper(identifier)) + "\t" + textLine(el) + "\n")
		}
		return
	}
	parts := make([]string, len(elements))
	for i, el := range elements {
		parts[i] = textLine(el)
	}
	b.WriteString(strings.Join(parts, "\t") + "\n")
}

func formatDict(b *bytes.Buffer, scalarKeys []string, item Map, identifier string, hasID bool) {
	scalars, nonScalars := partitionDict(item, scalarKeys)
	if len(scalars) > 0 {
		if hasID {
			scalars = append([]string{termtext.Line(strings.ToUpper(identifier))}, scalars...)
		}
		b.WriteString(strings.Join(scalars, "\t") + "\n")
	}
	for _, f := range nonScalars {
		formatText(b, f.Value, f.Key, true, nil)
	}
}

// allScalarKeys is the sorted union of the scalar members' keys of the
// objects in a list.
func allScalarKeys(list []any) []string {
	var keys []string
	for _, el := range list {
		m, _ := fields(el)
		for _, f := range m {
			if isScalar(f.Value) {
				keys = append(keys, f.Key)
			}
		}
	}
	return sortedKeys(keys)
}

// partitionDict splits an object into the str() of its scalar members
// (those of scalarKeys, "" for a missing one, when given; else its own, by
// key) and its other members by key.
func partitionDict(item Map, scalarKeys []string) ([]string, Map) {
	var scalars []string
	var nonScalars Map
	sorted := sortedFields(item)
	if scalarKeys == nil {
		for _, f := range sorted {
			if isScalar(f.Value) {
				scalars = append(scalars, textLine(f.Value))
			} else {
				nonScalars = append(nonScalars, f)
			}
		}
		return scalars, nonScalars
	}
	for _, k := range scalarKeys {
		v, ok := item.Get(k)
		if !ok {
			v = ""
		}
		scalars = append(scalars, textLine(v))
	}
	for _, f := range sorted {
		if !slices.Contains(scalarKeys, f.Key) {
			nonScalars = append(nonScalars, f)
		}
	}
	return scalars, nonScalars
}

// sortedFields returns m's members sorted by key.
func sortedFields(m Map) Map {
	out := slices.Clone(m)
	slices.SortStableFunc(out, func(a, b Field) int { return strings.Compare(a.Key, b.Key) })
	return out
}
