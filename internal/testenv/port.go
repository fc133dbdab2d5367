package testenv

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"testing"
)

// FreePorts returns n distinct loopback TCP ports that were free a
// moment ago: for a server a test must start, stop and start again on
// the same port.
//
// The ports are picked below the kernel's ephemeral range. A port the
// kernel handed out for listen(":0") is in that range, and so is the
// local port of every outgoing connection: while the test suite makes
// thousands of those, one of them could take the port between this
// call and the server's bind, and the server would never start. Below
// the range only another FreePorts caller could collide, which is rare.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	low, high := 10000, ephemeralLow()
	seen := make(map[int]bool)
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries > 1000 {
			t.Fatalf("no free port between %d and %d", low, high)
		}
		p := low + rand.IntN(high-low)
		if seen[p] {
			continue
		}
		seen[p] = true
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		lns = append(lns, ln)
		ports = append(ports, p)
	}
	return ports
}

// ephemeralLow is the first port of the kernel's ephemeral range, or
// Linux's default where the range cannot be read.
func ephemeralLow() int {
	const linuxDefault = 32768
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return linuxDefault
	}
	var low, high int
	if _, err := fmt.Sscan(string(b), &low, &high); err != nil || low <= 11000 {
		return linuxDefault
	}
	return low
}

// FreePort is FreePorts of one.
func FreePort(t testing.TB) int {
	t.Helper()
	return FreePorts(t, 1)[0]
}
