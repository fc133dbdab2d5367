package xmldsig

import (
	"errors"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/testenv"

	"github.com/beevik/etree"
)

func ncaFile(t *testing.T, rel string) []byte {
	return testenv.ReadFile(t, "testdata", "nca", rel)
}

// TestKalkanEnvelopedGOST2015 verifies a real enveloped signature Kalkan
// made with a GOST 2015-512 key: digest (Streebog-512 of the document
// without the Signature) and signature value.
func TestKalkanEnvelopedGOST2015(t *testing.T) {
	raw := string(ncaFile(t, "signed/kalkan-xmldsig-gost2015-512.xml"))
	check := func(xml string) error {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(xml); err != nil {
			t.Fatal(err)
		}
		return verifyDoc(doc)
	}
	if err := check(raw); err != nil {
		t.Fatalf("genuine Kalkan signature: %v", err)
	}
	tampered := strings.Replace(raw, "Hello", "Hallo", 1)
	if err := check(tampered); !errors.Is(err, ErrDigestMismatch) {
		t.Fatalf("tampered content: %v", err)
	}
	sig := strings.Replace(raw, "<ds:SignatureValue>\nffmE", "<ds:SignatureValue>\nffmF", 1)
	if err := check(sig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered signature value: %v", err)
	}
	// The signed algorithm must match the key: claiming 256 fails.
	alg := strings.Replace(raw, "gostr34102015-gostr34112015-512\"", "gostr34102015-gostr34112015-256\"", 1)
	if err := check(alg); err == nil {
		t.Fatal("signature accepted under the wrong algorithm")
	}
}
