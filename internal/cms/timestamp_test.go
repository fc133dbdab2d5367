package cms

import (
	"errors"
	"testing"
)

// TestImprintBindsOuterSignature moves the (valid) timestamp token onto a
// different signature value: the token still verifies on its own, so only
// the RFC 3161 imprint check can refuse it. No second real signature with
// the same token exists, hence the white-box call.
func TestImprintBindsOuterSignature(t *testing.T) {
	sd, err := Parse(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	si := sd.signers[0]
	if _, err := sd.verifyTimestamp(&si); err != nil {
		t.Fatalf("untouched: %v", err)
	}
	si.signature = append([]byte{}, si.signature...)
	si.signature[0] ^= 0x80
	if _, err := sd.verifyTimestamp(&si); !errors.Is(err, ErrDigestMismatch) {
		t.Fatalf("moved token: %v", err)
	}
}

func TestNoTimestampIsNotAnError(t *testing.T) {
	root := parseTree(t, sample(t))
	si := signerInfoNode(root)
	si.kids = si.kids[:len(si.kids)-1] // drop unsignedAttrs
	sd, err := Parse(root.der())
	if err != nil {
		t.Fatal(err)
	}
	signers, err := sd.Verify(nil)
	if err != nil || len(signers) != 1 || signers[0].Timestamp != nil {
		t.Fatalf("%v %+v", err, signers)
	}
}

func TestTimestampSignerMustBeTSA(t *testing.T) {
	sd, err := Parse(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	// The TSA certificate is covered by the CA's signature, so a copy
	// without the EKU cannot be built; check the rule on an in-memory edit.
	si := sd.signers[0]
	tok, err := parseContentInfo(si.unsigned[0].values[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.Certificates) != 1 || len(tok.Certificates[0].ExtKeyUsage) == 0 {
		t.Fatalf("token certificates %d", len(tok.Certificates))
	}
	tok.Certificates[0].ExtKeyUsage = nil
	if err := checkTSACertificate(tok.Certificates[0]); !errors.Is(err, ErrNotTimestampAuthority) {
		t.Fatalf("%v", err)
	}
}
