package certcheck

import (
	"errors"
	"testing"
)

func TestParseSource(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want Source
		err  error
	}{
		{"", nil, nil},
		{"off", nil, nil},
		{"http://test.pki.gov.kz/crl/nca_gost2022_test.crl", URLSource{URL: "http://test.pki.gov.kz/crl/nca_gost2022_test.crl"}, nil},
		{"file:/etc/salyq/nca.crl", FileSource("/etc/salyq/nca.crl"), nil},
		{"crl/nca.crl", FileSource("crl/nca.crl"), nil},
		{"ldap://x", nil, ErrUnsupported},
	} {
		got, err := ParseSource(tc.spec, nil)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%q: %#v %v", tc.spec, got, err)
		}
	}
}
