package awsconfig

import (
	"fmt"
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

// BenchmarkLoad is Load of a file of n profiles, without and with its parse
// index (written before the timing starts, as the first run writes it).
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{300, 600, 1000, 2000, 10000} {
		for _, indexed := range []bool{false, true} {
			b.Run(fmt.Sprintf("profiles=%d/index=%v", n, indexed), func(b *testing.B) {
				dir := b.TempDir()
				cfg := dir + "/config"
				if err := writeFile(cfg, benchConfig(n)); err != nil {
					b.Fatal(err)
				}
				index := ""
				if indexed {
					index = dir + "/index"
				}
				if _, err := LoadIndexed(cfg, dir+"/credentials", index); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				start := benchhome.CPUTime(b)
				defer func() { benchhome.ReportCPU(b, start) }()
				for b.Loop() {
					c, err := LoadIndexed(cfg, dir+"/credentials", index)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := c.SSOCredentials(fmt.Sprintf("team%04d-ReadOnly", n-1), true); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
