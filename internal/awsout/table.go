package awsout

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"golang.org/x/text/width"

	"github.com/ssocli/ssocli/internal/termtext"
)

// The table format, ported from awscli/formatter.py (TableFormatter) and
// awscli/table.py (MultiTable, Section, the stylers) of the AWS CLI 2.36.7,
// function for function, since its layout is arithmetic that only a port
// reproduces: column widths scaled to the widest section with Python's
// round-half-even, titles centred with floor division, and a section of one
// row turned into key/value rows when the table is wider than the
// terminal. Cells, headers and titles are made safe for a terminal first
// (termtext.Line).

// The colorama sequences of table.py's ColorizedStyler.
const (
	colorRow    = "\x1b[1m\x1b[34m" // Style.BRIGHT + Fore.BLUE
	colorIndent = "\x1b[2m\x1b[33m" // Style.DIM + Fore.YELLOW
	colorReset  = "\x1b[0m"         // Style.RESET_ALL
)

// textLength is table.py's get_text_length: East Asian wide, fullwidth and
// ambiguous characters count two columns, every other one.
func textLength(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth, width.EastAsianAmbiguous:
			n += 2
		default:
			n++
		}
	}
	return n
}

// spaces is Python's ' ' * n, which is empty for n <= 0.
func repeat(s string, n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(s, n)
}

// floorDiv is Python's //.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func centerText(text string, length int, left, right string, textLen int) string {
	charStart := floorDiv(length, 2) - floorDiv(textLen, 2) - 1
	out := left + repeat(" ", charStart) + text
	soFar := textLength(left) + charStart + textLen
	return out + repeat(" ", length-textLength(right)-soFar) + right
}

func alignLeft(text string, length int, left, right string, textLen int) string {
	padding := 0
	if length-(textLen+2+textLength(left)+textLength(right)) >= 0 {
		padding = 2
	}
	soFar := len([]rune(left)) + padding + textLen
	return left + repeat(" ", padding) + text + repeat(" ", length-soFar-len([]rune(right))) + right
}

type section struct {
	title     string
	headers   []string
	rows      [][]string
	indent    int
	numCols   int // -1: not yet known
	maxWidths []int
}

func newSection() *section { return &section{numCols: -1} }

func (s *section) columnWidths(padding, maxWidth int) []int {
	unscaled := make([]int, len(s.maxWidths))
	sum := 0
	for i, w := range s.maxWidths {
		unscaled[i] = w + padding
		sum += unscaled[i]
	}
	if maxWidth < 0 || len(unscaled) == 0 {
		return unscaled
	}
	scale := float64(maxWidth) / float64(sum)
	scaled := make([]int, len(unscaled))
	total := 0
	for i, w := range unscaled {
		scaled[i] = int(math.RoundToEven(scale * float64(w)))
		total += scaled[i]
	}
	offBy := total - maxWidth
	for offBy != 0 {
		for k := range scaled {
			i := k
			if offBy < 0 {
				i = len(scaled) - 1 - k
			}
			if offBy > 0 {
				scaled[i]--
				offBy--
			} else {
				scaled[i]++
				offBy++
			}
			if offBy == 0 {
				break
			}
		}
	}
	return scaled
}

func (s *section) totalWidth(padding int, border bool, outer int) int {
	total := 0
	for _, w := range s.columnWidths(0, -1) {
		total += w + padding
	}
	if border {
		total += 2
	}
	total += 2 * outer
	return max(textLength(s.title)+2+2*outer, total)
}

func (s *section) addHeader(headers []string) {
	s.updateMaxWidths(headers)
	if s.numCols < 0 {
		s.numCols = len(headers)
	}
	s.headers = headers
}

func (s *section) addRow(row []string) error {
	if s.numCols < 0 {
		s.numCols = len(row)
	}
	if len(row) != s.numCols {
		return fmt.Errorf("Row should have %d elements, instead it has %d", s.numCols, len(row))
	}
	s.rows = append(s.rows, row)
	s.updateMaxWidths(row)
	return nil
}

func (s *section) updateMaxWidths(row []string) {
	if len(s.maxWidths) == 0 {
		s.maxWidths = make([]int, len(row))
		for i, el := range row {
			s.maxWidths[i] = textLength(el)
		}
		return
	}
	for i, el := range row {
		if i < len(s.maxWidths) {
			s.maxWidths[i] = max(s.maxWidths[i], textLength(el))
		}
	}
}

// multiTable is table.py's MultiTable with initial_section=False and "|"
// as the column separator, as TableFormatter makes it.
type multiTable struct {
	sections []*section
	current  *section
	width    int
	color    bool
}

func (t *multiTable) newSection(title string, indent int) {
	t.current = newSection()
	t.sections = append(t.sections, t.current)
	t.current.title = termtext.Line(title)
	t.current.indent = indent
}

func (t *multiTable) addRowHeader(headers []string) {
	h := make([]string, len(headers))
	for i, x := range headers {
		h[i] = termtext.Line(x)
	}
	t.current.addHeader(h)
}

func (t *multiTable) addRow(row []any) error {
	r := make([]string, len(row))
	for i, x := range row {
		r[i] = termtext.Line(pyStr(x))
	}
	return t.current.addRow(r)
}

func (t *multiTable) maxWidth() int {
	m := 0
	for _, s := range t.sections {
		m = max(m, s.totalWidth(4, true, s.indent))
	}
	return m
}

// tableStream is the stream the table writes to; with autoreset, each
// write is followed by a reset, as colorama's wrapper of sys.stdout does.
type tableStream struct {
	b         *bytes.Buffer
	autoreset bool
}

func (w tableStream) write(s string) {
	w.b.WriteString(s)
	if w.autoreset {
		w.b.WriteString(colorReset)
	}
}

// indentedStream is table.py's IndentedStream.
type indentedStream struct {
	w           tableStream
	level       int
	left, right string
}

func (w indentedStream) write(text string) {
	w.w.write(strings.Repeat(w.left, w.level))
	if s, ok := strings.CutSuffix(text, "\n"); ok {
		w.w.write(s)
		w.w.write(strings.Repeat(w.right, w.level))
		w.w.write("\n")
	} else {
		w.w.write(text)
	}
}

func (t *multiTable) render(w tableStream) {
	maxWidth := t.maxWidth()
	if maxWidth > t.width {
		t.convertToVertical()
		maxWidth = t.maxWidth()
	}
	w.write(strings.Repeat("-", maxWidth) + "\n")
	for _, s := range t.sections {
		t.renderSection(s, maxWidth, w)
	}
}

// convertToVertical turns each section of one row and headers into rows of
// header and value.
func (t *multiTable) convertToVertical() {
	for i, s := range t.sections {
		if len(s.rows) == 1 && len(s.headers) > 0 {
			n := newSection()
			n.title = s.title
			n.indent = s.indent
			for j, h := range s.headers {
				if j < len(s.rows[0]) {
					_ = n.addRow([]string{h, s.rows[0][j]})
				}
			}
			t.sections[i] = n
		}
	}
}

func (t *multiTable) style(text, color string) string {
	if !t.color {
		return text
	}
	return color + text + colorReset
}

func (t *multiTable) renderSection(s *section, maxWidth int, w tableStream) {
	bar := t.style("|", colorIndent)
	st := indentedStream{w: w, level: s.indent, left: bar, right: bar}
	maxWidth -= s.indent * 2
	if s.title != "" {
		st.write(centerText(s.title, maxWidth, "|", "|", textLength(s.title)) + "\n")
		if len(s.headers) == 0 && len(s.rows) == 0 {
			st.write("+" + repeat("-", maxWidth-2) + "+\n")
		}
	}
	if len(s.headers) > 0 {
		widths := s.columnWidths(4, maxWidth)
		var cur strings.Builder
		for i, h := range s.headers {
			if i >= len(widths) {
				break
			}
			left := ""
			if i == 0 {
				left = "|"
			}
			cur.WriteString(centerText(h, widths[i], left, "|", textLength(h)))
		}
		st.write(lineBreak(widths))
		st.write(cur.String() + "\n")
	}
	if len(s.rows) == 0 {
		return
	}
	widths := s.columnWidths(4, maxWidth)
	if len(widths) == 0 {
		return
	}
	st.write(lineBreak(widths))
	for _, row := range s.rows {
		var cur strings.Builder
		for i, el := range row {
			if i >= len(widths) {
				break
			}
			left := ""
			if i == 0 {
				left = "|"
			}
			cur.WriteString(alignLeft(t.style(el, colorRow), widths[i], left, "|", textLength(el)))
		}
		st.write(cur.String() + "\n")
	}
	st.write(lineBreak(widths))
}

func lineBreak(widths []int) string {
	var b strings.Builder
	for i, w := range widths {
		if i == 0 {
			b.WriteString("+" + repeat("-", w-2) + "+")
		} else {
			b.WriteString(repeat("-", w-1) + "+")
		}
	}
	b.WriteString("\n")
	return b.String()
}

// truthy is Python's bool() of a value: _build_table prints nothing for
// None, False, 0, "" or an empty list or object.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int:
		return x != 0
	case int32:
		return x != 0
	case int64:
		return x != 0
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	}
	m, _ := fields(v)
	return len(m) > 0
}

func writeTable(b *bytes.Buffer, command string, v any, o Options) error {
	t := &multiTable{width: o.Width, color: o.Color}
	if t.width <= 0 {
		t.width = 80
	}
	title := command
	ok, err := t.build(&title, v, 0)
	if err != nil || !ok {
		return err
	}
	t.render(tableStream{b: b, autoreset: o.Color && o.DirectColor})
	return nil
}

// build is TableFormatter._build_table; title nil is Python's None.
func (t *multiTable) build(title *string, current any, indent int) (bool, error) {
	if !truthy(current) {
		return false, nil
	}
	if title != nil {
		t.newSection(*title, indent)
	}
	if list, ok := current.([]any); ok {
		if _, ok := fields(list[0]); ok {
			if err := t.subTableFromList(list, indent, title); err != nil {
				return false, err
			}
		} else {
			for _, item := range list {
				var err error
				switch {
				case isScalar(item):
					err = t.addRow([]any{item})
				case allScalar(item):
					err = t.addRow(elements(item))
				default:
					_, err = t.build(nil, item, 0)
				}
				if err != nil {
					return false, err
				}
			}
		}
	}
	if m, ok := fields(current); ok {
		if err := t.subTableFromDict(m, indent); err != nil {
			return false, err
		}
	}
	return true, nil
}

// elements is Python's iteration of a list (its items) or a dict (its keys).
func elements(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	m, _ := fields(v)
	out := make([]any, len(m))
	for i, f := range m {
		out[i] = f.Key
	}
	return out
}

func allScalar(v any) bool {
	for _, el := range elements(v) {
		if !isScalar(el) {
			return false
		}
	}
	return true
}

func (t *multiTable) subTableFromDict(current Map, indent int) error {
	headers, more := groupScalarKeys(current)
	switch {
	case len(headers) == 1:
		v, _ := current.Get(headers[0])
		if err := t.addRow([]any{headers[0], v}); err != nil {
			return err
		}
	case len(headers) > 1:
		t.addRowHeader(headers)
		row := make([]any, len(headers))
		for i, h := range headers {
			row[i], _ = current.Get(h)
		}
		if err := t.addRow(row); err != nil {
			return err
		}
	}
	for _, k := range more {
		v, _ := current.Get(k)
		if _, err := t.build(&k, v, indent+1); err != nil {
			return err
		}
	}
	return nil
}

func (t *multiTable) subTableFromList(current []any, indent int, title *string) error {
	var headers, more []string
	objs := make([]Map, len(current))
	for i, el := range current {
		m, ok := fields(el)
		if !ok {
			return fmt.Errorf("'%s' object has no attribute 'items'", pyType(el))
		}
		objs[i] = m
		h, r := groupScalarKeys(m)
		headers = append(headers, h...)
		more = append(more, r...)
	}
	headers, more = sortedKeys(headers), sortedKeys(more)
	t.addRowHeader(headers)
	for i, el := range objs {
		if i > 0 && len(more) > 0 {
			if title == nil {
				t.newSection("", indent)
			} else {
				t.newSection(*title, indent)
			}
			t.addRowHeader(headers)
		}
		row := make([]any, len(headers))
		for j, h := range headers {
			v, ok := el.Get(h)
			if !ok {
				v = ""
			}
			row[j] = v
		}
		if err := t.addRow(row); err != nil {
			return err
		}
		for _, k := range more {
			if v, ok := el.Get(k); ok {
				if _, err := t.build(&k, v, indent+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// groupScalarKeys splits an object's keys into those of scalar values and
// the others, each sorted.
func groupScalarKeys(m Map) (headers, more []string) {
	for _, f := range m {
		if isScalar(f.Value) {
			headers = append(headers, f.Key)
		} else {
			more = append(more, f.Key)
		}
	}
	return sortedKeys(headers), sortedKeys(more)
}

func pyType(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case string:
		return "str"
	case bool:
		return "bool"
	case float64:
		return "float"
	case []any:
		return "list"
	}
	return "int"
}
