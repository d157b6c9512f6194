package benchhome

import (
	"testing"
	"time"
)

// ReportCPU reports the CPU time per operation since start (a CPUTime
// reading) as "cpu-ns/op". Benchmarks report it next to wall time, which on
// a shared machine is mostly noise from other processes.
func ReportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(CPUTime(b)-start)/float64(b.N), "cpu-ns/op")
}
