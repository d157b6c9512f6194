package require

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recordTB records Skipf and Fatalf instead of stopping the test.
type recordTB struct {
	testing.TB
	skipped, fatal string
}

func (r *recordTB) Helper()                           {}
func (r *recordTB) Skipf(format string, args ...any)  { r.skipped = format }
func (r *recordTB) Fatalf(format string, args ...any) { r.fatal = format }

func TestMissingSkipsOrFailsInCI(t *testing.T) {
	tests := []struct {
		ci        string
		wantSkip  bool
		wantFatal bool
	}{
		{ci: "", wantSkip: true},
		{ci: "false", wantSkip: true},
		{ci: "0", wantSkip: true},
		{ci: "true", wantFatal: true},
		{ci: "1", wantFatal: true},
	}
	for _, tt := range tests {
		t.Run("CI="+tt.ci, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			for name, call := range map[string]func(testing.TB){
				"Missing":  func(tb testing.TB) { Missing(tb, "no tool") },
				"Missingf": func(tb testing.TB) { Missingf(tb, "no %s", "tool") },
				"Command":  func(tb testing.TB) { Command(tb, "ssocli-no-such-program") },
			} {
				r := &recordTB{TB: t}
				call(r)
				got := [2]bool{r.skipped != "", r.fatal != ""}
				if diff := cmp.Diff([2]bool{tt.wantSkip, tt.wantFatal}, got); diff != "" {
					t.Errorf("%s [skipped, failed] (-want +got):\n%s", name, diff)
				}
			}
		})
	}
}
