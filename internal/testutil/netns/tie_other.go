//go:build !linux

package netns

import (
	"errors"
	"os/exec"
)

// runTiedToParent is never reached off Linux: probe fails first, because
// only Linux has network namespaces.
func runTiedToParent(*exec.Cmd) error {
	return errors.New("network namespaces exist only on Linux")
}
