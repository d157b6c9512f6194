package cli

import "golang.org/x/sys/windows"

// echoOff turns the console's echo off and returns what turns it back on
// (see tty_echo_unix.go): the prompt for a secret is written only after it.
func echoOff(fd int) (restore func(), err error) {
	h := windows.Handle(fd)
	var old uint32
	if err := windows.GetConsoleMode(h, &old); err != nil {
		return nil, err
	}
	if err := windows.SetConsoleMode(h, old&^windows.ENABLE_ECHO_INPUT); err != nil {
		return nil, err
	}
	return func() { windows.SetConsoleMode(h, old) }, nil
}
