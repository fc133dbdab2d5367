package pkcs12

import (
	"encoding/asn1"
	"errors"

	"github.com/salyq/salyq/pkg/ber"
)

var errTrailingData = errors.New("trailing data")

// unmarshalDER parses exactly one DER element into v. where names the
// structure for error messages.
func unmarshalDER(der []byte, v any, where string) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return malformed(where, err)
	}
	if len(rest) != 0 {
		return &MalformedError{Where: where, Offset: len(der) - len(rest), Err: errTrailingData}
	}
	return nil
}

// unmarshalBER normalises in from BER to DER and parses it into v. It
// returns the DER so callers can clear it when it held secrets.
func unmarshalBER(in []byte, v any, where string) ([]byte, error) {
	der, err := ber.ToDER(in, berLimits())
	if err != nil {
		return nil, berMalformed(where, err)
	}
	return der, unmarshalDER(der, v, where)
}

// explicitInner returns the element inside an [n] EXPLICIT wrapper.
// encoding/asn1 hands RawValue fields of explicit tags over whole, wrapper
// included.
func explicitInner(v asn1.RawValue, where string) (asn1.RawValue, error) {
	var inner asn1.RawValue
	if len(v.FullBytes) == 0 {
		return inner, malformed(where, errors.New("absent"))
	}
	if err := unmarshalDER(v.Bytes, &inner, where); err != nil {
		return inner, err
	}
	return inner, nil
}
