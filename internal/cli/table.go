package cli

import (
	"fmt"
	"github.com/ssocli/ssocli/internal/termtext"
	"io"
	"strings"
	"unicode/utf8"
)

// printTable prints key/value rows in the AWS CLI's table style:
//
//	-----------------------
//	|  GetCallerIdentity  |
//	+---------+-----------+
//	|  Account|  1111     |
//
// Values are made safe for a terminal (termtext.Line).
func printTable(w io.Writer, title string, rows [][2]string) {
	kw, vw := 0, 0
	for i := range rows {
		rows[i][1] = termtext.Line(rows[i][1])
		kw = max(kw, len(rows[i][0]))
		vw = max(vw, utf8.RuneCountInString(rows[i][1]))
	}
	inner := kw + vw + 7
	if t := len(title) + 4; t > inner {
		vw += t - inner
		inner = t
	}
	fmt.Fprintln(w, strings.Repeat("-", inner+2))
	pad := inner - len(title)
	fmt.Fprintf(w, "|%s%s%s|\n", strings.Repeat(" ", pad/2), title, strings.Repeat(" ", pad-pad/2))
	fmt.Fprintf(w, "+%s+%s+\n", strings.Repeat("-", kw+4), strings.Repeat("-", vw+2))
	for _, r := range rows {
		fmt.Fprintf(w, "|  %-*s  |  %s%s|\n", kw, r[0], r[1], strings.Repeat(" ", vw-utf8.RuneCountInString(r[1])))
	}
	fmt.Fprintf(w, "+%s+%s+\n", strings.Repeat("-", kw+4), strings.Repeat("-", vw+2))
}
