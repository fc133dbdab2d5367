package intake_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/httplimit"
	"github.com/salyq/salyq/internal/intake"
)

// heapPeak samples the live heap every millisecond until stop is closed
// and returns the highest value above the heap at the start.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	base := s[0].Value.Uint64()
	go func() {
		var peak uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > base && v-base > peak {
				peak = v - base
			}
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// bigForm is a form of about size bytes that the intake parses in full
// before refusing it (an unknown field): the costly kind.
func bigForm(t *testing.T, size int) []byte {
	g := string(good(t).build())
	var pad strings.Builder
	for i := 0; pad.Len() < size-len(g)-64; i++ {
		fmt.Fprintf(&pad, `<field name="no_such_%d">1</field>`, i)
	}
	i := strings.Index(g, "<field ")
	return []byte(g[:i] + pad.String() + g[i:])
}

// TestConcurrentLargeBodies: 8 concurrent posts of near-maximum forms
// through the API's limits. The body budget admits one form at a time, so
// the heap peaks near what one form costs; without it (the API as it was)
// the eight are parsed at once and the peak is several times higher.
func TestConcurrentLargeBodies(t *testing.T) {
	r := newRig(t)
	const maxForm = 2 << 20
	in := intake.New(intake.Config{JS: r.js, Board: r.board, Keys: r.keys, Templates: r.templates, Clock: time.Now, MaxFormSize: maxForm})
	l := httplimit.Defaults().WithBody(maxForm)
	l.MaxReadBytes = maxForm + 1 // one form at a time
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := l.Server(in.Handler())
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	url := "http://" + ln.Addr().String() + "/v1/forms"
	form := bigForm(t, maxForm-1024)

	post := func() error {
		resp, err := http.Post(url, "application/xml", bytes.NewReader(form))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity {
			return fmt.Errorf("status %d, want 422", resp.StatusCode)
		}
		return nil
	}
	stop := make(chan struct{})
	peak := heapPeak(stop)
	if err := post(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	one := <-peak

	const n = 8
	stop = make(chan struct{})
	peak = heapPeak(stop)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := post(); err != nil {
				t.Error(err)
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	close(stop)
	all := <-peak
	t.Logf("heap peak: one form %d MiB, %d concurrent %d MiB", one>>20, n, all>>20)
	// Garbage of the previous form may still be there when the next is
	// parsed: 3× is generous for one at a time, and far below eight.
	if all > 3*one {
		t.Errorf("heap peak of %d concurrent forms %d MiB, over 3× one form (%d MiB): the body budget did not bound them", n, all>>20, one>>20)
	}
}

// TestTooLargeEveryPath: a form one byte over the maximum is refused as
// too large — 413 with a JSON refusal naming size over HTTP, with or
// without a length, and ErrTooLarge for a file and for stdin — and
// nothing is queued; a form of exactly the maximum is not refused for
// its size.
func TestTooLargeEveryPath(t *testing.T) {
	r := newRig(t)
	const maxForm = 64 << 10
	in := intake.New(intake.Config{JS: r.js, Board: r.board, Keys: r.keys, Templates: r.templates, Clock: time.Now, MaxFormSize: maxForm})
	hs := httptest.NewServer(httplimit.Defaults().WithBody(maxForm).Wrap(in.Handler()))
	t.Cleanup(hs.Close)
	over, exact := bigForm(t, maxForm+512), bigForm(t, maxForm+512)
	over, exact = over[:maxForm+1], exact[:maxForm]

	for _, chunked := range []bool{false, true} {
		var body io.Reader = bytes.NewReader(over)
		if chunked {
			body = bufio.NewReader(body)
		}
		resp, err := http.Post(hs.URL+"/v1/forms", "application/xml", body)
		if err != nil {
			t.Fatal(err)
		}
		var ref intake.Refusal
		json.NewDecoder(resp.Body).Decode(&ref)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || ref.Field != "size" || ref.Error == "" {
			t.Errorf("chunked %v: %d %+v, want 413 naming size", chunked, resp.StatusCode, ref)
		}
	}
	if _, err := in.Submit(ctx, exact); errors.Is(err, intake.ErrTooLarge) {
		t.Errorf("a form of exactly the maximum refused as too large: %v", err)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "big.xml")
	if err := os.WriteFile(file, over, 0o600); err != nil {
		t.Fatal(err)
	}
	got := map[string]error{}
	err := in.SubmitPaths(ctx, []string{file, "-"}, bytes.NewReader(over), func(fr intake.FileResult) { got[fr.Path] = fr.Err })
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{file, "-"} {
		if !errors.Is(got[p], intake.ErrTooLarge) || intake.RefusalOf(got[p]).Field != "size" {
			t.Errorf("%s: %v, want a refusal for its size", p, got[p])
		}
	}
	if n := r.queued(t); n != 0 {
		t.Errorf("%d messages queued", n)
	}
}

// TestCheckPayload: a maximum form size that cannot fit the server's
// max_payload with the publishing overhead is refused, naming both
// settings.
func TestCheckPayload(t *testing.T) {
	if err := intake.CheckPayload(4<<20, 8<<20); err != nil {
		t.Errorf("4 MiB in 8 MiB: %v", err)
	}
	err := intake.CheckPayload(4<<20, 1<<20)
	if !errors.Is(err, intake.ErrPayloadLimit) || !strings.Contains(err.Error(), "max_payload") || !strings.Contains(err.Error(), "--max-form-size") {
		t.Errorf("4 MiB in NATS' default 1 MB: %v", err)
	}
	if err := intake.CheckPayload(8<<20, 8<<20); err == nil {
		t.Error("a form of the whole max_payload leaves no room for signature and headers")
	}
}
