package gostcert

import "errors"

var (
	// ErrNotGOST means the key or signature algorithm is not a GOST one
	// this package knows.
	ErrNotGOST = errors.New("not a known GOST algorithm")
	// ErrMalformed means the ASN.1 structure of the key is broken.
	ErrMalformed = errors.New("malformed GOST key")
	// ErrBadSignature means a GOST signature does not verify.
	ErrBadSignature = errors.New("GOST signature does not verify")
)
