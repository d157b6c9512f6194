//go:build !windows

package robustio

// isEphemeral is false: outside Windows a rename replaces an open file and an
// open file can be removed, so no error here goes away by waiting.
func isEphemeral(error) bool { return false }
