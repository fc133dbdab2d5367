package sonosim_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/salyq/salyq/pkg/envelope"
)

func httptestRecorder(h http.Handler, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/bip-sync-wss-gost/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// BenchmarkSend measures the sandbox's own handling of SONO_FNO_SEND with
// a signed 20 KB form, in-process through ServeHTTP: envelope parse,
// WS-Security and taxpayer signature checks, template check, filing, and
// the signed answer. dt_additional forms are separate filings, so every
// request is accepted.
func BenchmarkSend(b *testing.B) {
	k := mustKeys(b)
	s := newSim(b, nil)
	form := k.bigForm(b, 20<<10)
	body, _ := s.encode(envelope.ServiceSend, element(b, form), k.transport.Signer())
	if rec := httptestRecorder(s.srv, body); rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte("<requestId>")) {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if rec := httptestRecorder(s.srv, body); rec.Code != 200 {
				b.Errorf("status %d", rec.Code)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
