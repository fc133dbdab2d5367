package cms

import (
	"bytes"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/salyq/salyq/pkg/ber"
)

// The facts below were read off the sample with openssl asn1parse.
var (
	sampleContent     = []byte{0xb5, 0xeb, 0x2d}
	sampleSigningTime = time.Date(2023, 10, 11, 9, 31, 15, 0, time.UTC)
	sampleGenTime     = time.Date(2023, 10, 11, 9, 31, 16, 0, time.UTC)
)

// checkSampleSigners asserts everything Verify must report for the sample.
func checkSampleSigners(t *testing.T, signers []Signer) {
	t.Helper()
	if len(signers) != 1 {
		t.Fatalf("%d signers, want 1", len(signers))
	}
	s := signers[0]
	if got := s.Certificate.Subject.SerialNumber; got != "IIN123456789011" {
		t.Errorf("signer subject serialNumber %q", got)
	}
	if s.DigestAlgorithm.OID.String() != "1.2.398.3.10.1.3.3" || s.DigestAlgorithm.Name != "Streebog-512" {
		t.Errorf("digest %v %s", s.DigestAlgorithm.OID, s.DigestAlgorithm.Name)
	}
	if s.SignatureAlgorithm.String() != "1.2.398.3.10.1.1.2.3.2" {
		t.Errorf("signature algorithm %v", s.SignatureAlgorithm)
	}
	if !s.SigningTime.Equal(sampleSigningTime) {
		t.Errorf("signing time %v", s.SigningTime)
	}
	ts := s.Timestamp
	if ts == nil {
		t.Fatal("no timestamp reported")
	}
	if !ts.GenTime.Equal(sampleGenTime) {
		t.Errorf("genTime %v", ts.GenTime)
	}
	if ts.Signer.Certificate.Subject.CommonName != "TSA SERVICE" {
		t.Errorf("TSA %q", ts.Signer.Certificate.Subject.CommonName)
	}
	if ts.Signer.DigestAlgorithm.Name != "GOST 34.311-95" || ts.ImprintAlgorithm.OID.String() != "1.2.398.3.10.1.3.1" {
		t.Errorf("TSA digest %s, imprint %v", ts.Signer.DigestAlgorithm.Name, ts.ImprintAlgorithm.OID)
	}
	if ts.Policy.String() != "1.2.398.3.3.2.6.1" || ts.SerialNumber.Sign() >= 0 {
		// Kalkan's TSA writes a negative serial; it must survive parsing.
		t.Errorf("policy %v serial %v", ts.Policy, ts.SerialNumber)
	}
	if ts.Signer.Timestamp != nil || len(ts.Certificates) != 1 {
		t.Errorf("token signer timestamp %v, %d certificates", ts.Signer.Timestamp, len(ts.Certificates))
	}
}

func TestKalkanSampleVerifies(t *testing.T) {
	der := sample(t)
	sd, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if sd.Version != 1 || sd.Detached() || !bytes.Equal(sd.Content, sampleContent) ||
		!sd.ContentType.Equal(oidData) || len(sd.Certificates) != 1 || len(sd.DigestAlgorithms) != 1 {
		t.Fatalf("parsed %+v", sd)
	}
	for _, content := range [][]byte{nil, sampleContent} {
		signers, err := sd.Verify(content)
		if err != nil {
			t.Fatalf("Verify(%x): %v", content, err)
		}
		checkSampleSigners(t, signers)
	}
	if _, err := sd.Verify([]byte("other")); !errors.Is(err, ErrContentConflict) {
		t.Errorf("conflicting content: %v", err)
	}
}

func TestBERFormVerifies(t *testing.T) {
	der := sample(t)
	berForm := parseTree(t, der).ber()
	if bytes.Equal(berForm, der) || len(berForm) <= len(der) {
		t.Fatal("BER rewrite did not change the encoding")
	}
	norm, err := ber.ToDER(berForm, berLimits())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(norm, der) {
		t.Fatal("BER normalisation does not give back the DER sample")
	}
	sd, err := Parse(berForm)
	if err != nil {
		t.Fatal(err)
	}
	signers, err := sd.Verify(nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSampleSigners(t, signers)
}

func TestDetached(t *testing.T) {
	root := parseTree(t, sample(t))
	encap := signedDataNode(root).kids[2]
	encap.kids = encap.kids[:1] // drop eContent
	sd, err := Parse(root.der())
	if err != nil {
		t.Fatal(err)
	}
	if !sd.Detached() {
		t.Fatal("not detached")
	}
	tests := []struct {
		name    string
		content []byte
		want    error
	}{
		{"right content", sampleContent, nil},
		{"no content", nil, ErrNoContent},
		{"other content", []byte{0xb5, 0xeb, 0x2e}, ErrDigestMismatch},
		{"empty content", []byte{}, ErrDigestMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signers, err := sd.Verify(tc.content)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want == nil {
				checkSampleSigners(t, signers)
			}
		})
	}
}

// flip returns a copy of b with one bit changed at the offset of pat plus
// delta; pat must occur exactly once.
func flip(t *testing.T, b, pat []byte, delta int) []byte {
	t.Helper()
	c := append([]byte{}, b...)
	c[indexOnce(t, b, pat)+delta] ^= 0x01
	return c
}

func TestTamperedCopiesFail(t *testing.T) {
	der := sample(t)
	tests := []struct {
		name      string
		input     func(t *testing.T) []byte
		want      error
		timestamp bool // the failure is reported in the timestamp token
	}{
		{"content byte", func(t *testing.T) []byte {
			return flip(t, der, []byte{0x04, 0x03, 0xb5, 0xeb, 0x2d}, 3)
		}, ErrDigestMismatch, false},
		{"signed attribute signingTime", func(t *testing.T) []byte {
			return flip(t, der, append([]byte{0x17, 0x0d}, "231011093115Z"...), 13)
		}, ErrBadSignature, false},
		{"signed attribute messageDigest", func(t *testing.T) []byte {
			return flip(t, der, []byte{0x04, 0x40, 0x8e, 0xaf, 0x00, 0xd9}, 5)
		}, ErrDigestMismatch, false},
		{"signature value", func(t *testing.T) []byte {
			return flip(t, der, []byte{0x04, 0x81, 0x80, 0x97, 0x87, 0x38, 0x39}, 40)
		}, ErrBadSignature, false},
		{"timestamp token signature", func(t *testing.T) []byte {
			return flip(t, der, []byte{0x04, 0x40, 0xbc, 0xf5, 0x90, 0x0f}, 20)
		}, ErrBadSignature, true},
		{"TSTInfo genTime", func(t *testing.T) []byte {
			return flip(t, der, []byte("20231011093116Z"), 13)
		}, ErrDigestMismatch, true},
		{"TSTInfo messageImprint", func(t *testing.T) []byte {
			return flip(t, der, []byte{0x04, 0x20, 0x31, 0xa1, 0x6f, 0x28}, 10)
		}, ErrDigestMismatch, true},
		{"timestamp signed attribute", func(t *testing.T) []byte {
			return flip(t, der, append([]byte{0x17, 0x0d}, "231011093116Z"...), 13)
		}, ErrBadSignature, true},
		{"signer serial", func(t *testing.T) []byte {
			root := parseTree(t, der)
			serial := signerInfoNode(root).kids[1].kids[1]
			serial.prim = append([]byte{}, serial.prim...)
			serial.prim[len(serial.prim)-1] ^= 1
			return root.der()
		}, ErrNoCertificate, false},
		{"digest algorithm", func(t *testing.T) []byte {
			root := parseTree(t, der)
			oid := signerInfoNode(root).kids[2].kids[0]
			oid.prim = append([]byte{}, oid.prim...)
			oid.prim[len(oid.prim)-1] = 9 // 1.2.398.3.10.1.3.9
			return root.der()
		}, ErrUnsupported, false},
		{"signature algorithm of another kind", func(t *testing.T) []byte {
			root := parseTree(t, der)
			oid := signerInfoNode(root).kids[4].kids[0]
			oid.prim = append([]byte{}, oid.prim...)
			oid.prim[len(oid.prim)-1] = 1 // 2015-256 with a 512 key
			return root.der()
		}, ErrBadSignature, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sd, err := Parse(tc.input(t))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			signers, err := sd.Verify(nil)
			if !errors.Is(err, tc.want) || signers != nil {
				t.Fatalf("got %v (%d signers), want %v", err, len(signers), tc.want)
			}
			var se *SignerError
			if !errors.As(err, &se) || se.Index != 0 || se.Timestamp != tc.timestamp {
				t.Fatalf("signer error %#v, want timestamp=%v", se, tc.timestamp)
			}
		})
	}
}

func TestUnsupportedNamesOID(t *testing.T) {
	root := parseTree(t, sample(t))
	oid := signerInfoNode(root).kids[2].kids[0]
	oid.prim = append([]byte{}, oid.prim...)
	oid.prim[len(oid.prim)-1] = 9
	sd, err := Parse(root.der())
	if err != nil {
		t.Fatal(err)
	}
	_, err = sd.Verify(nil)
	var ue *UnsupportedError
	if !errors.As(err, &ue) || ue.OID != "1.2.398.3.10.1.3.9" {
		t.Fatalf("%v", err)
	}
}

func TestTruncatedInputIsMalformed(t *testing.T) {
	der := sample(t)
	for n := 0; n < len(der); n++ {
		if _, err := Parse(der[:n]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("Parse of %d bytes: %v", n, err)
		}
	}
	if _, err := Parse(append(append([]byte{}, der...), 0)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("trailing byte: %v", err)
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"not a sequence", []byte{0x04, 0x00}, ErrMalformed},
		{"enveloped data", []byte{0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03}, ErrUnsupported},
		{"primitive indefinite", []byte{0x04, 0x80, 0x00, 0x00}, ErrMalformed},
		{"unterminated indefinite", []byte{0x30, 0x80, 0x05, 0x00}, ErrMalformed},
		{"length too long", []byte{0x30, 0x85, 1, 0, 0, 0, 0}, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSignerCertificateIsEmbedded guards against Verify trusting a key the
// caller did not get from the SignedData.
func TestSignerCertificateIsEmbedded(t *testing.T) {
	sd, err := Parse(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	sd.Certificates = []*x509.Certificate{ncaCert(t, "certs/nca_gost2022_test.cer")}
	if _, err := sd.Verify(nil); !errors.Is(err, ErrNoCertificate) {
		t.Fatalf("%v", err)
	}
}
