//go:build unix

package awsconfig

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. Benchmarks report it per
// operation ("cpu-ns/op") because wall time on a shared machine is noise.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkParse1000Profiles(b *testing.B) {
	data := []byte(benchConfig(1000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		c, err := Parse(data, nil, "config")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.SSOCredentials("team0999-ReadOnly", true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkLoad1000Profiles(b *testing.B) {
	dir := b.TempDir()
	cfg := dir + "/config"
	if err := writeFile(cfg, benchConfig(1000)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := cpuTime(b)
	defer func() { b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op") }()
	for b.Loop() {
		if _, err := Load(cfg, dir+"/credentials"); err != nil {
			b.Fatal(err)
		}
	}
}
