package httplimit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// serve runs l.Server(h) on a loopback port until the test ends.
func serve(t *testing.T, l Limits, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := l.Server(h)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// echoLen reads the body and answers its length.
var echoLen = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprint(w, n)
})

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, with a deadline
	}
}

// TestSlowClients: connections that send nothing, keep-alive connections
// left idle, and a body trickled in a byte at a time are all closed by
// the server within its timeouts, and it still answers a normal request.
// Without the timeouts (the server salyq had) none of them is closed.
func TestSlowClients(t *testing.T) {
	l := Limits{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 600 * time.Millisecond,
		WriteTimeout: 2 * time.Second, IdleTimeout: 300 * time.Millisecond, MaxHeaderBytes: 4 << 10, MaxConcurrent: 4}
	addr := serve(t, l, echoLen)

	var closed atomic.Int32
	watch := func(c net.Conn) {
		// Read until the server closes; whatever it answered first.
		io.Copy(io.Discard, c)
		closed.Add(1)
	}
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	const silent, idle = 100, 20
	start := time.Now()
	for range silent {
		go watch(dial())
	}
	for range idle {
		c := dial()
		fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
		go watch(c)
	}
	slow := dial()
	fmt.Fprintf(slow, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond): // the slow client's pace, not synchronisation
			}
			if _, err := slow.Write([]byte("x")); err != nil {
				return
			}
		}
	}()
	go watch(slow)

	// Every timeout is under a second; allow for a loaded machine.
	waitUntil(t, 5*time.Second, "all slow connections closed", func() bool { return closed.Load() == silent+idle+1 })
	t.Logf("%d connections closed by the server after %s", closed.Load(), time.Since(start).Round(time.Millisecond))

	resp, err := http.Post("http://"+addr+"/", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "5" {
		t.Fatalf("normal request after the slow clients: %d %q", resp.StatusCode, body)
	}
}

// TestHeaderLimit: headers over MaxHeaderBytes are refused with 431.
func TestHeaderLimit(t *testing.T) {
	addr := serve(t, Limits{MaxHeaderBytes: 4 << 10, ReadHeaderTimeout: time.Second}, echoLen)
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 64<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d, want 431", resp.StatusCode)
	}
}

// TestConcurrencyCap: one request over MaxConcurrent is answered 503 with
// Retry-After and a JSON error at once, not queued; probes still answer.
func TestConcurrencyCap(t *testing.T) {
	release := make(chan struct{})
	var inside atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			return
		}
		inside.Add(1)
		<-release
	})
	addr := serve(t, Limits{MaxConcurrent: 2}, h)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := http.Get("http://" + addr + "/slow"); err == nil {
				resp.Body.Close()
			}
		}()
	}
	waitUntil(t, 5*time.Second, "two requests in the handler", func() bool { return inside.Load() == 2 })
	resp, err := http.Get("http://" + addr + "/third")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body["error"], "busy") {
		t.Errorf("third request: %d Retry-After %q body %v", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	resp, err = http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz while busy: %d", resp.StatusCode)
	}
	close(release)
	wg.Wait()
}

// TestBodyBudget: bodies wait for room in MaxReadBytes, held until the
// answer is written; a chunked body reserves as it is read; nothing is
// held afterwards.
func TestBodyBudget(t *testing.T) {
	const body = 100 << 10
	l := Limits{MaxConcurrent: 16}.WithBody(body)
	l.MaxReadBytes = body + 1 // exactly one body at a time
	var inside, most atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inside.Add(1)
		defer inside.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		time.Sleep(20 * time.Millisecond) // the handler's work while it holds the body
		fmt.Fprint(w, len(data))
	})
	lim := l.Wrap(h).(*limiter)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: lim}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	url := "http://" + ln.Addr().String() + "/"

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r io.Reader = bytes.NewReader(make([]byte, body))
			if i%2 == 1 {
				r = bufio.NewReader(r) // no length known: sent chunked
			}
			resp, err := http.Post(url, "application/octet-stream", r)
			if err != nil {
				errs <- err
				return
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || string(got) != fmt.Sprint(body) {
				errs <- fmt.Errorf("request %d: %d %s", i, resp.StatusCode, got)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if most.Load() != 1 {
		t.Errorf("%d requests in the handler at once, want the budget to admit one body", most.Load())
	}
	if n := lim.sem.inUse(); n != 0 {
		t.Errorf("%d bytes still reserved after every request ended", n)
	}
}

// TestBudgetWait: a request that finds no room within Wait is answered
// 503, and gives back nothing it did not take.
func TestBudgetWait(t *testing.T) {
	s := newByteSem(100)
	got, err := s.acquire(context.Background(), 80)
	if err != nil || got != 80 {
		t.Fatal(got, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.acquire(ctx, 30); err == nil {
		t.Fatal("acquired past the budget")
	}
	// One larger than the whole budget takes the whole budget, not forever.
	s.release(80)
	if got, err := s.acquire(context.Background(), 500); err != nil || got != 100 {
		t.Fatal(got, err)
	}
	s.release(100)
	if s.inUse() != 0 {
		t.Fatal(s.inUse())
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]Size{"4MiB": 4 << 20, "64KiB": 64 << 10, "1GiB": 1 << 30, "100": 100, "7B": 7} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
		if got, _ := ParseSize(want.String()); got != want {
			t.Errorf("%s round trip: %s", in, want)
		}
	}
	for _, bad := range []string{"", "4MB", "-1", "x"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestParseSizeMemoryLimits: the sizes --memory-limit takes, in
// GOMEMLIMIT's syntax.
func TestParseSizeMemoryLimits(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1048576", 1 << 20, true},
		{"128MiB", 128 << 20, true},
		{"2GiB", 2 << 30, true},
		{"512KiB", 512 << 10, true},
		{"100B", 100, true},
		{"", 0, false},
		{"-1MiB", 0, false},
		{"128MB", 0, false},
		{"lots", 0, false},
		{"9999999999999GiB", 0, false},
	} {
		got, err := ParseSize(c.in)
		if (err == nil) != c.ok || int64(got) != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}
