//go:build unix

package vanitygolden

import "github.com/ssocli/ssocli/internal/testutil/ptyterm"

// OpenTerminal opens the pseudo-terminal the wizards run in, of ScreenCols x
// ScreenRows.
func OpenTerminal() (*ptyterm.Terminal, error) { return ptyterm.Open(ScreenCols, ScreenRows) }
