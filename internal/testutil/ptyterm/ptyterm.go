// Package ptyterm runs programs on a pseudo-terminal for tests and golden
// generators: Record keeps what a program writes to it and waits for text
// (Expect, WaitQuiet); Terminal adds a virtual terminal (vt10x) that answers
// the program's cursor position requests and shows the final screen, and
// Drive types the keys of a list of steps. It is not a terminal emulator
// for users; everything but Step runs on Unix only (pseudo-terminals).
package ptyterm

import "time"

// Step waits until the terminal shows Expect (after the previous step's),
// then until the program has been quiet for a moment (a menu is drawn), and
// types Send.
type Step struct {
	Expect string `json:"expect"`
	Send   string `json:"send,omitempty"`
}

// quiet is how long a program must have written nothing before a step types.
const quiet = 400 * time.Millisecond
