package cli

import (
	"os"

	"golang.org/x/sys/windows"
)

// consoleANSI turns on virtual terminal processing for every stream that is
// a Windows console, so that ANSI sequences move the cursor and erase lines
// (Windows Terminal has it on already; the console host of Windows 10 and
// later has it, but off), and reports whether every console stream now
// interprets them. The old console (before Windows 10, or "use legacy
// console") refuses the mode: then ssocli redraws with plain carriage
// returns. Streams that are not consoles (files, pipes, mintty) are left
// alone. The mode is not put back at exit: it only changes what escape
// sequences do, and a program that writes none is not affected.
func consoleANSI(files ...*os.File) bool {
	ok := true
	for _, f := range files {
		h := windows.Handle(f.Fd())
		var mode uint32
		if windows.GetConsoleMode(h, &mode) != nil {
			continue // not a console
		}
		if mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
			continue
		}
		if windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) != nil {
			ok = false
		}
	}
	return ok
}
