package envelope

import (
	"crypto/x509"
	"testing"

	"github.com/beevik/etree"
)

// The benchmarks use a 20 KB form, the size of a full 910.00 filing.
const benchFormSize = 20 << 10

func BenchmarkTaxpayerSign(b *testing.B) {
	k := mustKeys(b)
	f := bigForm(b, k.set.IndividualSign.Identity().IIN, benchFormSize)
	signer := k.set.IndividualSign.Signer()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SignForm(ctx, f, signer, SignOptions{Now: testNow}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTaxpayerVerify(b *testing.B) {
	k := mustKeys(b)
	f := bigForm(b, k.set.IndividualSign.Identity().IIN, benchFormSize)
	signed, err := SignForm(ctx, f, k.set.IndividualSign.Signer(), SignOptions{Now: testNow})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(signed)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifyForm(signed, VerifyOptions{Now: testNow}); err != nil {
			b.Fatal(err)
		}
	}
}

func signedBigForm(b *testing.B) *etree.Element {
	k := mustKeys(b)
	f := bigForm(b, k.set.IndividualSign.Identity().IIN, benchFormSize)
	signed, err := SignForm(ctx, f, k.set.IndividualSign.Signer(), SignOptions{Now: testNow})
	if err != nil {
		b.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(signed); err != nil {
		b.Fatal(err)
	}
	return doc.Root()
}

func BenchmarkTransportSign(b *testing.B) {
	form := signedBigForm(b)
	c := &Codec{Clock: fixedClock, NewID: seqIDs(), Signer: mustKeys(b).set.InfoSystem.Signer()}
	b.ReportAllocs()
	for b.Loop() {
		req := &Request{Info: RequestInfo{ServiceID: ServiceSend, Sender: Sender{ID: "salyq"}}, Data: form}
		if _, err := c.EncodeRequest(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTransportVerify(b *testing.B) { benchTransportVerify(b, false) }

// BenchmarkTransportVerifyKnown verifies as the gateway client does, with
// the signer's certificate known.
func BenchmarkTransportVerifyKnown(b *testing.B) { benchTransportVerify(b, true) }

func benchTransportVerify(b *testing.B, known bool) {
	form := signedBigForm(b)
	c := &Codec{Clock: fixedClock, NewID: seqIDs(), Signer: mustKeys(b).set.InfoSystem.Signer()}
	out, err := c.EncodeRequest(ctx, &Request{Info: RequestInfo{ServiceID: ServiceSend, Sender: Sender{ID: "salyq"}}, Data: form})
	if err != nil {
		b.Fatal(err)
	}
	certs := []*x509.Certificate{mustKeys(b).set.InfoSystem.Certificate()}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		msg, err := ReadMessage(out)
		if err != nil {
			b.Fatal(err)
		}
		verify := msg.Verify
		if known {
			verify = func() (*x509.Certificate, error) { return msg.VerifyKnown(certs) }
		}
		if _, err := verify(); err != nil {
			b.Fatal(err)
		}
	}
}
