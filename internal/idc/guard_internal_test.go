package idc

import (
	"net"
	"testing"
)

// TestServesHostListenAddress: the listen address is served; when it is
// every address, any IP literal is (an IP literal cannot be rebound), and a
// DNS name only if it is the public URL's.
func TestServesHostListenAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		listen, host string
		want         bool
	}{
		{"10.1.2.3", "10.1.2.3:8765", true},
		{"10.1.2.3", "10.1.2.4:8765", false},
		{"0.0.0.0", "10.1.2.4:8765", true},
		{"::", "[fd00::1]:8765", true},
		{"0.0.0.0", "devbox:8765", false},
		{"0.0.0.0", "idc.example:8765", true}, // the public URL's host
	}
	for _, tt := range tests {
		s := &Server{listenIP: net.ParseIP(tt.listen), publicHost: "idc.example"}
		if got := s.servesHost(tt.host); got != tt.want {
			t.Errorf("listening on %s, Host %s: served %v, want %v", tt.listen, tt.host, got, tt.want)
		}
	}
}
