package app

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestLockData: a held data directory is refused with its holder's pid
// and start time in Astana time; released, it can be taken again.
func TestLockData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	since := time.Date(2026, 12, 7, 16, 3, 0, 0, time.UTC)
	l, err := LockData(dir, since)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockData(dir, time.Now())
	var inUse *InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, ErrDataInUse) || inUse.PID != os.Getpid() || !inUse.Since.Equal(since) {
		t.Fatalf("second lock: %v (%+v)", err, inUse)
	}
	want := "data directory " + dir + " is in use by salyq pid " + strconv.Itoa(os.Getpid()) +
		" since 2026-12-07T21:03:00+05:00; stop it or use another --data"
	if err.Error() != want {
		t.Errorf("refusal\n%s\nwant\n%s", err, want)
	}
	if !dataInUse(dir) {
		t.Error("dataInUse of a held directory: false")
	}
	l.Release()
	if dataInUse(dir) {
		t.Error("dataInUse of a released directory: true")
	}
	l2, err := LockData(dir, time.Now())
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Release()
}

// TestLocalURL: api.url names an address a local client can connect to.
func TestLocalURL(t *testing.T) {
	for _, c := range []struct{ base, addr, want string }{
		{"http://127.0.0.1:8480", "127.0.0.1:8480", "http://127.0.0.1:8480"},
		{"https://[::]:8480", "[::]:8480", "https://localhost:8480"},
		{"http://0.0.0.0:9000", "0.0.0.0:9000", "http://localhost:9000"},
	} {
		addr, err := net.ResolveTCPAddr("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := localURL(c.base, addr); got != c.want {
			t.Errorf("localURL(%s, %s) = %s, want %s", c.base, c.addr, got, c.want)
		}
	}
}
