package awsconfig

import (
	"testing"

	"github.com/ssocli/ssocli/internal/testutil/benchhome"
)

func BenchmarkParse1000Profiles(b *testing.B) {
	data := []byte(benchConfig(1000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := benchhome.CPUTime(b)
	for b.Loop() {
		c, err := Parse(data, nil, "config")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.SSOCredentials("team0999-ReadOnly", true); err != nil {
			b.Fatal(err)
		}
	}
	benchhome.ReportCPU(b, start)
}

func BenchmarkLoad1000Profiles(b *testing.B) {
	dir := b.TempDir()
	cfg := dir + "/config"
	if err := writeFile(cfg, benchConfig(1000)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := benchhome.CPUTime(b)
	defer func() { benchhome.ReportCPU(b, start) }()
	for b.Loop() {
		if _, err := Load(cfg, dir+"/credentials"); err != nil {
			b.Fatal(err)
		}
	}
}
