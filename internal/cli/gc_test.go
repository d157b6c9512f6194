package cli

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC: the target is set and put back, and GOGC wins.
func TestTuneGC(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)

	restore := tuneGC(func(string) string { return "" }, serveGCPercent)
	if got := debug.SetGCPercent(serveGCPercent); got != serveGCPercent {
		t.Errorf("GC percent while serving = %d, want %d", got, serveGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent after serving = %d, want 100 back", got)
	}

	// GOGC set by the user wins: nothing changes.
	restore = tuneGC(func(k string) string {
		if k == "GOGC" {
			return "50"
		}
		return ""
	}, serveGCPercent)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent with GOGC=50 set = %d, want it left alone (100)", got)
	}
	restore()
}
