package cli

import (
	"os"
)

// forwardSignal does nothing on Windows: the command shares ssocli's console
// and process group (it is not started with CREATE_NEW_PROCESS_GROUP, which
// would make it ignore Ctrl-C), so the console has sent it the same Ctrl-C or
// Ctrl-Break event. Process.Signal cannot deliver either (it can only
// terminate). ssocli only keeps waiting, and exits with the command's code.
func forwardSignal(*os.Process, os.Signal) {}
