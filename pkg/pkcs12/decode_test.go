package pkcs12

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/ber"
)

func TestDecodeNCAContainers(t *testing.T) {
	files := testenv.Files(t, "*.p12", "testdata", "nca", "p12")
	tests := []struct {
		file    string
		iin     string
		bin     string // empty for individuals
		roleEKU string
	}{
		{"individual_valid_individual_valid.p12", "IIN123456789011", "", "1.2.398.3.3.4.1.1"},
		{"individual_revoked_individual_revoked.p12", "IIN123456789011", "", "1.2.398.3.3.4.1.1"},
		{"legal_valid_head.p12", "IIN123456789011", "BIN123456789021", "1.2.398.3.3.4.1.2.1"},
		{"legal_revoked_head.p12", "IIN123456789011", "BIN123456789021", "1.2.398.3.3.4.1.2.1"},
		{"legal_valid_employee_signright.p12", "IIN123456789012", "BIN123456789021", "1.2.398.3.3.4.1.2.2"},
		{"legal_valid_infosystem.p12", "IIN123456789012", "BIN123456789021", "1.2.398.5.19.1.2.2.1"},
	}
	if len(tests) != len(files) {
		t.Errorf("table covers %d files, test data has %d", len(tests), len(files))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, ok := files[tt.file]
			if !ok {
				t.Fatal("file missing from test data")
			}
			c, err := Decode(data, ncaPassword)
			if err != nil {
				t.Fatal(err)
			}
			k, ok := c.Key.(*GOSTKey)
			if !ok {
				t.Fatalf("key is %T, want *GOSTKey", c.Key)
			}
			if !k.KeyOID.Equal(oidKeyGOST2015_512) {
				t.Errorf("key OID %s", k.KeyOID)
			}
			if want := (asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 2, 1}); !k.CurveOID.Equal(want) {
				t.Errorf("curve OID %s, want %s", k.CurveOID, want)
			}
			if size, _ := gostKeySize(k.KeyOID); len(k.D) != size || size != 64 {
				t.Errorf("len(D) = %d, want 64", len(k.D))
			}
			if c.Certificate == nil {
				t.Fatal("no certificate")
			}
			if len(c.CAs) != 0 {
				t.Errorf("%d CA certificates, want 0", len(c.CAs))
			}
			subj := c.Certificate.Subject
			if subj.SerialNumber != tt.iin {
				t.Errorf("subject SERIALNUMBER %q, want %q", subj.SerialNumber, tt.iin)
			}
			if tt.bin != "" && (len(subj.OrganizationalUnit) != 1 || subj.OrganizationalUnit[0] != tt.bin) {
				t.Errorf("subject OU %q, want %q", subj.OrganizationalUnit, tt.bin)
			}
			found := false
			for _, oid := range c.Certificate.UnknownExtKeyUsage {
				found = found || oid.String() == tt.roleEKU
			}
			if !found {
				t.Errorf("EKU %v lacks %s", c.Certificate.UnknownExtKeyUsage, tt.roleEKU)
			}
			if ku := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment; c.Certificate.KeyUsage&ku != ku {
				t.Errorf("key usage %b lacks digitalSignature|nonRepudiation", c.Certificate.KeyUsage)
			}
			if !gostPublicKeyMatches(t, k, c.Certificate) {
				t.Error("d·G does not equal the certificate's public key: D is not the little-endian scalar")
			}
		})
	}
}

// TestKalkanMACIsOverRawBER pins the reason the MAC must be computed over
// the stored authSafe octets: Kalkan's are BER, and their DER form differs.
func TestKalkanMACIsOverRawBER(t *testing.T) {
	for name, data := range testenv.Files(t, "*.p12", "testdata", "nca", "p12") {
		var pfx pfxPDU
		if err := unmarshalDER(data, &pfx, "PFX"); err != nil {
			t.Fatalf("%s: outer PFX is not DER: %v", name, err)
		}
		inner, err := explicitInner(pfx.AuthSafe.Content, "authSafe")
		if err != nil {
			t.Fatal(err)
		}
		der, err := ber.ToDER(inner.Bytes, berLimits())
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(der, inner.Bytes) {
			t.Errorf("%s: authSafe is already DER; the BER path is untested", name)
		}
		var md macData
		if err := unmarshalDER(pfx.MacData.FullBytes, &md, "MacData"); err != nil {
			t.Fatal(err)
		}
		if err := verifyMAC(&md, inner.Bytes, ncaPassword); err != nil {
			t.Errorf("%s: MAC over raw octets: %v", name, err)
		}
		if err := verifyMAC(&md, der, ncaPassword); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s: MAC over DER form: err %v, want ErrWrongPassword", name, err)
		}
	}
}

func TestDecodeWrongPassword(t *testing.T) {
	for name, data := range testenv.Files(t, "*.p12", "testdata", "nca", "p12") {
		for _, pw := range []string{"", "qwerty12", "Qwerty123", "Qwerty1"} {
			_, err := Decode(data, pw)
			if !errors.Is(err, ErrWrongPassword) {
				t.Errorf("%s: err = %v, want ErrWrongPassword", name, err)
				continue
			}
			if pw != "" && strings.Contains(err.Error(), pw) {
				t.Errorf("%s: error message contains the password", name)
			}
		}
	}
}

// TestDecodeCorruptedByte flips every byte of one container in turn. Each
// must fail cleanly: the MAC catches changes inside the authSafe, parsing
// catches the rest (a flipped algorithm OID is legitimately unsupported).
func TestDecodeCorruptedByte(t *testing.T) {
	data := testenv.Files(t, "*.p12", "testdata", "nca", "p12")["legal_valid_head.p12"]
	step := 1
	if testing.Short() {
		step = 17
	}
	counts := map[string]int{}
	for i := 0; i < len(data); i += step {
		bad := bytes.Clone(data)
		bad[i] ^= 0x5a
		_, err := Decode(bad, ncaPassword)
		switch {
		case err == nil:
			t.Errorf("byte %d: corrupted container decoded without error", i)
		case errors.Is(err, ErrWrongPassword):
			counts["wrong password"]++
		case errors.Is(err, ErrMalformed):
			counts["malformed"]++
		case errors.Is(err, ErrUnsupported):
			counts["unsupported"]++
		default:
			t.Errorf("byte %d: untyped error %v", i, err)
		}
		if err != nil && strings.Contains(err.Error(), ncaPassword) {
			t.Errorf("byte %d: error message contains the password", i)
		}
	}
	t.Logf("outcomes: %v", counts)
}

// TestDecodeTruncated cuts the container at every length.
func TestDecodeTruncated(t *testing.T) {
	data := testenv.Files(t, "*.p12", "testdata", "nca", "p12")["individual_valid_individual_valid.p12"]
	for n := 0; n < len(data); n += 7 {
		if _, err := Decode(data[:n], ncaPassword); !errors.Is(err, ErrMalformed) {
			t.Fatalf("truncated to %d: err = %v, want ErrMalformed", n, err)
		}
	}
}

func TestGOSTScalar(t *testing.T) {
	d := bytes.Repeat([]byte{0xAB}, 64)
	d32 := bytes.Repeat([]byte{0xCD}, 32)
	wrap := func(b []byte) []byte { out, _ := asn1.Marshal(b); return out }
	tests := []struct {
		name    string
		in      []byte
		size    int
		want    []byte
		wantErr bool
	}{
		{"double wrapped (NCA)", wrap(d), 64, d, false},
		{"single wrapped", d, 64, d, false},
		{"triple wrapped", wrap(wrap(d)), 64, d, false},
		{"256-bit", wrap(d32), 32, d32, false},
		{"raw d that looks like DER", append([]byte{0x04, 0x3e}, make([]byte, 62)...), 64, append([]byte{0x04, 0x3e}, make([]byte, 62)...), false},
		{"wrong size", wrap(d32), 64, nil, true},
		{"empty", nil, 64, nil, true},
		{"garbage", []byte{0x04, 0x80, 1}, 32, nil, true},
	}
	for _, tt := range tests {
		got, err := gostScalar(tt.in, tt.size)
		if tt.wantErr {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: err = %v, want ErrMalformed", tt.name, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("%s: got %X, %v", tt.name, got, err)
		}
	}
}

func TestGOSTKeyStringRedacts(t *testing.T) {
	k := &GOSTKey{KeyOID: oidKeyGOST2015_512, D: []byte{0xde, 0xad, 0xbe, 0xef}}
	for _, s := range []string{k.String(), k.GoString()} {
		if strings.Contains(strings.ToLower(s), "deadbeef") || strings.Contains(s, "222") {
			t.Errorf("String leaks D: %s", s)
		}
	}
}

// gostPublicKeyMatches multiplies the tc26-gost-3410-12-512-paramSetA base
// point by D (read little-endian) with plain affine arithmetic and compares
// with the certificate's OCTET STRING(x_LE || y_LE). Test-only: slow and not
// constant time, but independent of any GOST package.
func gostPublicKeyMatches(t *testing.T, k *GOSTKey, cert *x509.Certificate) bool {
	t.Helper()
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 512), big.NewInt(569))
	a := new(big.Int).Sub(p, big.NewInt(3))
	gy, _ := new(big.Int).SetString("7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4", 16)
	type point struct{ x, y *big.Int }
	add := func(P, Q *point) *point {
		if P == nil {
			return Q
		}
		if Q == nil {
			return P
		}
		var num, den *big.Int
		if P.x.Cmp(Q.x) == 0 {
			if P.y.Cmp(Q.y) != 0 || P.y.Sign() == 0 {
				return nil
			}
			num = new(big.Int).Mul(P.x, P.x)
			num.Mul(num, big.NewInt(3)).Add(num, a)
			den = new(big.Int).Lsh(P.y, 1)
		} else {
			num = new(big.Int).Sub(Q.y, P.y)
			den = new(big.Int).Sub(Q.x, P.x)
		}
		den.Mod(den, p).ModInverse(den, p)
		l := num.Mul(num, den)
		l.Mod(l, p)
		x3 := new(big.Int).Mul(l, l)
		x3.Sub(x3, P.x).Sub(x3, Q.x).Mod(x3, p)
		y3 := new(big.Int).Sub(P.x, x3)
		y3.Mul(y3, l).Sub(y3, P.y).Mod(y3, p)
		return &point{x3, y3}
	}
	reverse := func(b []byte) []byte {
		out := make([]byte, len(b))
		for i := range b {
			out[len(b)-1-i] = b[i]
		}
		return out
	}
	d := new(big.Int).SetBytes(reverse(k.D))
	var r *point
	g := &point{big.NewInt(3), gy}
	for i := d.BitLen() - 1; i >= 0; i-- {
		r = add(r, r)
		if d.Bit(i) == 1 {
			r = add(r, g)
		}
	}
	if r == nil {
		return false
	}
	var spki struct {
		Algorithm asn1.RawValue
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki); err != nil {
		t.Fatal(err)
	}
	var pub []byte
	if _, err := asn1.Unmarshal(spki.PublicKey.Bytes, &pub); err != nil {
		t.Fatal(err)
	}
	want := append(reverse(r.x.FillBytes(make([]byte, 64))), reverse(r.y.FillBytes(make([]byte, 64)))...)
	return bytes.Equal(pub, want)
}

func BenchmarkDecodeKalkan(b *testing.B) {
	data := testenv.Files(b, "*.p12", "testdata", "nca", "p12")["legal_valid_head.p12"]
	for b.Loop() {
		if _, err := Decode(data, ncaPassword); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(data)))
}

func TestUnsupportedNamesOID(t *testing.T) {
	data := bytes.Clone(testenv.Files(t, "*.p12", "testdata", "nca", "p12")["legal_valid_head.p12"])
	sha1OID := []byte{0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a}
	i := bytes.LastIndex(data, sha1OID)
	if i < 0 {
		t.Fatal("SHA-1 MAC OID not found")
	}
	data[i+len(sha1OID)-1] = 0x1b // 1.3.14.3.2.27
	_, err := Decode(data, ncaPassword)
	var ue *UnsupportedError
	if !errors.Is(err, ErrUnsupported) || !errors.As(err, &ue) || ue.OID.String() != "1.3.14.3.2.27" {
		t.Fatalf("err = %v, want UnsupportedError naming 1.3.14.3.2.27", err)
	}
	if !strings.Contains(err.Error(), "1.3.14.3.2.27") {
		t.Errorf("message %q does not name the OID", err)
	}
}

func TestMalformedSaysWhere(t *testing.T) {
	data := testenv.Files(t, "*.p12", "testdata", "nca", "p12")["legal_valid_head.p12"]
	_, err := Decode(data[:100], ncaPassword)
	var me *MalformedError
	if !errors.As(err, &me) || !strings.Contains(me.Where, "PFX") {
		t.Fatalf("err = %v, want MalformedError in PFX", err)
	}
}
