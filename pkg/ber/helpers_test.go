package ber

import (
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// checkDER verifies what ToDER promises of its output: one element
// spanning b, definite minimal lengths throughout, no end-of-contents and
// no constructed universal strings. It shares no code with the package.
func checkDER(b []byte) error {
	rest, err := checkDERElement(b, 0)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%d trailing bytes", len(rest))
	}
	return nil
}

func checkDERElement(b []byte, depth int) ([]byte, error) {
	if depth > 1000 {
		return nil, errors.New("absurd depth")
	}
	if len(b) < 2 {
		return nil, errors.New("short element")
	}
	first := b[0]
	number, i := int(first&0x1f), 1
	if number == 0x1f {
		number = 0
		for ; i < len(b) && b[i]&0x80 != 0; i++ {
			number = number<<7 | int(b[i]&0x7f)
		}
		if i == len(b) {
			return nil, errors.New("short tag")
		}
		number = number<<7 | int(b[i])
		i++
	}
	universal, constructed := first&0xc0 == 0, first&0x20 != 0
	if universal && number == 0 {
		return nil, errors.New("end-of-contents in DER")
	}
	if universal && constructed && isStringTagRef(number) {
		return nil, fmt.Errorf("constructed universal string %d", number)
	}
	if i >= len(b) {
		return nil, errors.New("no length")
	}
	l := int(b[i])
	i++
	if l == 0x80 {
		return nil, errors.New("indefinite length")
	}
	if l > 0x80 {
		k := l & 0x7f
		if k > 4 || len(b)-i < k || b[i] == 0 {
			return nil, errors.New("bad long-form length")
		}
		l = 0
		for _, c := range b[i : i+k] {
			l = l<<8 | int(c)
		}
		if l < 0x80 {
			return nil, errors.New("long form for short length")
		}
		i += k
	}
	if len(b)-i < l {
		return nil, errors.New("length beyond input")
	}
	body, rest := b[i:i+l], b[i+l:]
	for constructed && len(body) > 0 {
		var err error
		if body, err = checkDERElement(body, depth+1); err != nil {
			return nil, err
		}
	}
	return rest, nil
}

// isStringTagRef lists X.690's restricted string types plus OCTET STRING
// independently of the package's own table.
func isStringTagRef(n int) bool {
	return n == 4 || n == 12 || (n >= 18 && n <= 22) || (n >= 25 && n <= 28) || n == 30
}

// authSafeBER digs the authSafe octets (Kalkan writes them in BER) out of
// a PFX whose outer layer is DER.
func authSafeBER(t testing.TB, pfx []byte) []byte {
	t.Helper()
	var outer struct {
		Version  int
		AuthSafe struct {
			Type    asn1.ObjectIdentifier
			Content asn1.RawValue `asn1:"explicit,tag:0"`
		}
		MacData asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(pfx, &outer); err != nil {
		t.Fatalf("PFX: %v", err)
	}
	var octets asn1.RawValue
	if _, err := asn1.Unmarshal(outer.AuthSafe.Content.Bytes, &octets); err != nil {
		t.Fatalf("authSafe content: %v", err)
	}
	return octets.Bytes
}

// kalkanCMS returns the DER of the real Kalkan SignedData.
func kalkanCMS(t testing.TB) []byte {
	t.Helper()
	b64 := testenv.ReadFile(t, "testdata", "nca", "signed", "kalkan-cms-gost2015-tsa-gost2004.b64")
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b64)))
	if err != nil {
		t.Fatal(err)
	}
	return der
}
