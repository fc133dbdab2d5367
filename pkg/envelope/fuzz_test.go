package envelope

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/salyq/salyq/internal/testenv"

	"github.com/beevik/etree"
)

// fuzzSeeds adds the golden files and the operator's samples.
func fuzzSeeds(f *testing.F, extra ...[]byte) {
	for _, p := range []string{"testdata/fault.xml", "testdata/send_unsigned.xml", "testdata/form_910.xml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, n := range []string{"nit-shep-request-gost2004.xml", "nit-shep-response-gost2004.xml"} {
		if b, err := os.ReadFile(filepath.Join(testenv.Path(f, "testdata", "nca", "signed"), n)); err == nil {
			f.Add(b)
		}
	}
	for _, b := range extra {
		f.Add(b)
	}
}

// FuzzResponse drives the path every gateway answer takes: parse,
// verify, decode (responses and faults alike), then the SONO payloads.
func FuzzResponse(f *testing.F) {
	// Seeds are unsigned or signed by the operator's key: generating RSA
	// keys in every fuzz worker would eat the fuzzing time.
	c := &Codec{Clock: fixedClock, NewID: seqIDs()}
	receipt, err := c.EncodeResponse(ctx, &Response{Info: ResponseInfo{Status: Status{Code: "SCSS001"}}, Data: (&Receipt{RequestID: "r-1"}).Element()})
	if err != nil {
		f.Fatal(err)
	}
	fuzzSeeds(f, receipt)
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := ReadMessage(data)
		if err != nil {
			return
		}
		msg.Verify()
		resp, err := msg.Response()
		if err != nil || resp.Data == nil {
			return
		}
		ParseReceipt(resp.Data)
		ParseStatusResponse(resp.Data)
	})
}

// FuzzStatusResponse targets the status payload parser directly.
func FuzzStatusResponse(f *testing.F) {
	sr := &StatusResponse{RequestID: "r", History: []HistoryEntry{{Status: "Принята", Date: testNow, Message: "m"}},
		Notices: []Notice{{Type: NoticeRefusal, Number: "n-1", Date: testNow, Text: "t"}}}
	doc := etree.NewDocument()
	doc.SetRoot(sr.Element())
	seed, _ := doc.WriteToBytes()
	f.Add(seed)
	f.Add([]byte(`<fnoStatusResponse><errorInfo><code>NOT_FOUND</code></errorInfo></fnoStatusResponse>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parseXML(data)
		if err != nil {
			return
		}
		ParseStatusResponse(d.Root())
		VerifyStatusRequest(d.Root())
	})
}

// FuzzRequest drives the sandbox's side: parse, verify, decode a request
// and the form inside it.
func FuzzRequest(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := ReadMessage(data)
		if err != nil {
			return
		}
		msg.Verify()
		req, err := msg.Request()
		if err != nil || req.Data == nil {
			return
		}
		FormFromElement(req.Data, VerifyOptions{Now: testNow})
	})
}

// FuzzForm targets the form parser and template checks.
func FuzzForm(f *testing.F) {
	fuzzSeeds(f)
	ts, err := LoadTemplates()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		form, err := ParseForm(data, FormOptions{})
		if err != nil {
			return
		}
		ts.Check(form)
	})
}
