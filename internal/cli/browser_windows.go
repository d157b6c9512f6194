package cli

import "golang.org/x/sys/windows"

// shellOpen opens url with ShellExecuteW, as Python's os.startfile does: the
// system's handler for https URLs (the default browser) gets it whole.
func shellOpen(url string) error {
	verb, err := windows.UTF16PtrFromString("open")
	if err != nil {
		return err
	}
	file, err := windows.UTF16PtrFromString(url)
	if err != nil {
		return err
	}
	return windows.ShellExecute(0, verb, file, nil, nil, windows.SW_SHOWNORMAL)
}
