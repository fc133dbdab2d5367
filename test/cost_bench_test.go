package test

import (
	"bufio"
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/envelope"
)

// cpuTime is the user and system CPU time this process has used: salyq's
// own, since the sandbox (and, with SALYQ_BENCH_EXTERNAL_NATS=1, the
// nats-server) run in processes of their own.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cryptoOps are the signatures and verifications salyq itself makes for
// n new forms between two stats of the sandbox: per form the taxpayer's
// signature (intake); per send the transport signature and the
// verification of the gateway's signed answer; per status request the
// taxpayer's and the transport signatures and the answer's verification.
func cryptoOps(before, after sonosim.Stats, n int) (signs, verifies int64) {
	sends := after.Requests[envelope.ServiceSend] - before.Requests[envelope.ServiceSend]
	polls := after.Requests[envelope.ServiceStatus] - before.Requests[envelope.ServiceStatus]
	return int64(n) + sends + 2*polls, sends + polls
}

// cryptoCost measures, on one goroutine and in CPU time, one signature
// and one verification with a keystore key, the kind salyq makes for
// every form (the sandbox's keys are all of one algorithm and size).
func (e *benchEnv) cryptoCost(b *testing.B, n int) (sign, verify time.Duration) {
	key, err := e.rt.Keys.ForTaxpayer(e.taxpayers[0], time.Now())
	if err != nil {
		b.Fatal(err)
	}
	signer, cert := key.Signer(), key.Certificate()
	msg := []byte("<ds:SignedInfo>the canonical bytes a signature covers</ds:SignedInfo>")
	var sig []byte
	start := cpuTime(b)
	for range n {
		if sig, err = signer.Sign(context.Background(), msg); err != nil {
			b.Fatal(err)
		}
	}
	sign = (cpuTime(b) - start) / time.Duration(n)
	start = cpuTime(b)
	for range n {
		if err := cert.CheckSignature(x509.SHA256WithRSA, msg, sig); err != nil {
			b.Fatalf("verifying the keystore key's signature: %v", err)
		}
	}
	verify = (cpuTime(b) - start) / time.Duration(n)
	return sign, verify
}

// appended is the number of messages ever appended to each stream: where
// a batch's writes went.
func (e *benchEnv) appended(b *testing.B) map[string]uint64 {
	out := map[string]uint64{}
	l := e.rt.JS.ListStreams(context.Background())
	for info := range l.Info() {
		out[info.Config.Name] = info.State.LastSeq
	}
	if err := l.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

// perForm lists, by name, how much each count grew between two readings,
// per form of n.
func perForm[V int64 | uint64](before, after map[string]V, n int) string {
	var parts []string
	for name, v := range after {
		if d := v - before[name]; d > 0 {
			parts = append(parts, fmt.Sprintf("%s %.2f", name, float64(d)/float64(n)))
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// fsyncTrace counts the fsync and fdatasync calls of a process started
// under strace (seccomp-filtered, so the server is stopped only at those
// calls), from the lines strace writes to its output file.
type fsyncTrace struct{ path string }

// traced wraps the command line of a nats-server in strace when strace is
// installed and SALYQ_BENCH_FSYNCS is not 0, and returns its trace (nil:
// not counted).
func traced(dir string, argv []string) ([]string, *fsyncTrace) {
	if os.Getenv("SALYQ_BENCH_FSYNCS") == "0" {
		return argv, nil
	}
	strace, err := exec.LookPath("strace")
	if err != nil {
		return argv, nil
	}
	t := &fsyncTrace{path: dir + "/fsyncs.trace"}
	return append([]string{strace, "-f", "-qq", "--seccomp-bpf", "-y", "-e", "trace=fsync,fdatasync", "-o", t.path}, argv...), t
}

// count is the number of fsync and fdatasync calls so far, by the file
// they were made on (fsyncFile).
func (t *fsyncTrace) count(b *testing.B) fsyncCounts {
	f, err := os.Open(t.path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	n := fsyncCounts{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// A call interrupted by another thread's is written twice:
		// "fsync(12</path> <unfinished ...>" and "<... fsync resumed>".
		if l := sc.Text(); (strings.Contains(l, "fsync(") || strings.Contains(l, "fdatasync(")) && !strings.Contains(l, "resumed>") {
			n[fsyncFile(l)]++
		}
	}
	return n
}

// fsyncCounts is a count of fsyncs by file.
type fsyncCounts map[string]uint64

func (c fsyncCounts) total() uint64 {
	var n uint64
	for _, v := range c {
		n += v
	}
	return n
}

// fsyncFile names the file of a traced call ("fsync(12</d/jetstream/
// $G/streams/S/msgs/1.blk>) = 0", or "… <unfinished ...>") by its stream and what it is: the
// messages, a consumer's state, the stream's index.
func fsyncFile(line string) string {
	_, rest, _ := strings.Cut(line, "sync(")
	_, rest, _ = strings.Cut(rest, "<")
	path, _, ok := strings.Cut(rest, ">")
	if !ok {
		return "?"
	}
	if k := strings.Index(path, "/streams/"); k >= 0 {
		parts := strings.Split(path[k+len("/streams/"):], "/")
		switch {
		case len(parts) >= 2 && parts[1] == "msgs":
			return parts[0] + " msgs"
		case len(parts) >= 3 && parts[1] == "obs":
			return parts[0] + " consumer"
		default:
			return parts[0] + " " + parts[len(parts)-1]
		}
	}
	return filepath.Base(path)
}
