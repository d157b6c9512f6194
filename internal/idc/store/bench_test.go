package store

import (
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkBoltCreateRoleCredential: the write of every GetRoleCredentials
// answer with --data-dir, from 8 goroutines at once (bench/load.sh's
// workers). Run with -cpu 2 to match the 2-core figures of BENCHMARKS.md.
func BenchmarkBoltCreateRoleCredential(b *testing.B) {
	s, err := OpenBolt(filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	exp := time.Now().Add(time.Hour)
	var n atomic.Int64
	b.SetParallelism(4) // 4 x GOMAXPROCS goroutines: 8 on 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := "ASIA" + strconv.FormatUint(uint64(rand.Int64N(1e15)+1e15)+uint64(n.Add(1)), 10) // random order, as issued
			c := RoleCredential{AccessKeyID: id, SecretAccessKey: "s3cr3t/" + id, SessionToken: "token-" + id + "-" + id + "-" + id,
				Expiration: exp, AccountID: "111122223333", PermissionSet: "ReadOnly", RoleName: "AWSReservedSSO_ReadOnly_0123456789abcdef",
				RoleID: "AROAEXAMPLE", UserName: "alice", SessionID: "sess", AccessToken: "at-" + id}
			if err := s.CreateRoleCredential(c); err != nil {
				b.Fatal(err)
			}
		}
	})
}
