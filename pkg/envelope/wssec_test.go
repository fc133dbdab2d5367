package envelope

import (
	"bytes"
	"crypto/x509"
	"testing"
)

// TestVerifyKnown: a known certificate named by the signature is the one
// returned, an unknown one is parsed from the message, and a body changed
// after signing fails either way.
func TestVerifyKnown(t *testing.T) {
	k := mustKeys(t)
	c := &Codec{Clock: fixedClock, NewID: seqIDs(), Signer: k.set.InfoSystem.Signer()}
	out, err := c.EncodeRequest(ctx, &Request{Info: RequestInfo{ServiceID: ServiceStatus, Sender: Sender{ID: "salyq"}}})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := ReadMessage(out)
	if err != nil {
		t.Fatal(err)
	}
	signer, other := k.set.InfoSystem.Certificate(), k.set.IndividualSign.Certificate()
	if got, err := msg.VerifyKnown([]*x509.Certificate{other, signer}); err != nil || got != signer {
		t.Fatalf("known signer: %v, %v", got, err)
	}
	if got, err := msg.VerifyKnown([]*x509.Certificate{other}); err != nil || got == signer || !got.Equal(signer) {
		t.Fatalf("unknown signer: %v, %v", got, err)
	}
	tampered, err := ReadMessage(bytes.Replace(out, []byte("salyq"), []byte("salyp"), 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tampered.VerifyKnown([]*x509.Certificate{signer}); err == nil {
		t.Fatal("a changed body verified")
	}
}
