package pkcs12

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"hash"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// TestPKCS12KDFKnownAnswers compares with OpenSSL 3.0's PKCS12KDF
// (`openssl kdf -kdfopt hexpass:<BMPString+0000> ... PKCS12KDF`) and with
// the classic "smeg" vector that x/crypto/pkcs12 also tests.
func TestPKCS12KDFKnownAnswers(t *testing.T) {
	qwerty := "005100770065007200740079003100320000" // "Qwerty12" as BMPString+NUL
	tests := []struct {
		name       string
		h          func() hash.Hash
		pw, salt   string
		iterations int
		id, size   int
		want       string
	}{
		{"smeg key", sha1.New, "0073006D006500670000", "0A58CF64530D823F", 1, kdfIDKey, 24, "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"},
		{"smeg short", sha1.New, "0073006D006500670000", "0A58CF64530D823F", 1, kdfIDKey, 5, "8AAAE6297B"},
		{"kalkan 3DES key", sha1.New, qwerty, "2D72AA781F07D51DB928BFA932CE72287B8397C7", 1024, kdfIDKey, 24, "0886D874DE388FFEDE35860E236D6F55B24E67D4A7A44FD5"},
		{"kalkan 3DES IV", sha1.New, qwerty, "2D72AA781F07D51DB928BFA932CE72287B8397C7", 1024, kdfIDIV, 8, "98203724484FDFF7"},
		{"kalkan MAC key", sha1.New, qwerty, "797625B86F00B3287EC3A538F0015BCF0513175C", 1024, kdfIDMAC, 20, "ADC1AE27F7ABF49E47F28EBE43725B97D2218B73"},
		{"sha256 MAC key", sha256.New, qwerty, "0102030405060708", 2048, kdfIDMAC, 32, "C0D0E181E70D85C15C2BB626F0055C1B94FF7CFE02F838DCA66D3FA0D1046B39"},
		{"sha512 long output, empty password", sha512.New, "0000", "0102030405060708", 3, kdfIDKey, 100,
			"5F25E3051AFAA416856DAB09454FF66D38FC899E5BAB7B066CDB1C480234B9085D7D5C9A00FB859762CFBC4BD143537DA504C0B80D27372B85C2723F00C2F4CC2F376917314455AB3886B7BE447A3F93EB437902BAD10BDDE1F7265B373A0B438E399CC4"},
		{"empty salt", sha1.New, "0000", "", 1, kdfIDMAC, 20, "C45EF9E6304AFCADF87016698A5ACAF7DC956FD9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pkcs12KDF(tt.h, testenv.Hex(t, tt.pw), testenv.Hex(t, tt.salt), tt.iterations, tt.id, tt.size)
			if want := testenv.Hex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("got %X, want %X", got, want)
			}
		})
	}
}

func TestBMPPassword(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"", "0000", false},
		{"Qwerty12", "005100770065007200740079003100320000", false},
		{"Пароль", "041F04300440043E043B044C0000", false},
		{"\U0001F600", "", true},
	}
	for _, tt := range tests {
		got, err := bmpPassword(tt.in)
		if tt.wantErr {
			if !errors.Is(err, errNonBMPPassword) {
				t.Errorf("%q: err %v, want errNonBMPPassword", tt.in, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, testenv.Hex(t, tt.want)) {
			t.Errorf("%q: got %X, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func BenchmarkPKCS12KDF1024(b *testing.B) {
	pw, _ := bmpPassword("Qwerty12")
	salt := make([]byte, 20)
	for b.Loop() {
		pkcs12KDF(sha1.New, pw, salt, 1024, kdfIDKey, 24)
	}
}
