package streams

import (
	"fmt"
	"unicode/utf8"
)

// MaxIDLength caps a submission id. The intake makes 32 hexadecimal
// characters (intake.SubmissionID); the cap leaves room for ids of other
// producers while keeping every key and subject built from an id far
// below the NATS control-line limit (4 KiB), past which the server closes
// the connection instead of answering.
const MaxIDLength = 64

// MaxHeaderLength caps any other header value salyq reads off a message.
const MaxHeaderLength = 256

// CheckID reports whether id can be a submission id: 1 to MaxIDLength
// letters, digits, '-' or '_'. That is exactly what is safe both as one
// subject token (no '.', '*', '>', space) and as a KV key, so a checked
// id can never turn a lookup into a wildcard or break the connection.
func CheckID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty", ErrInvalidID)
	}
	if len(id) > MaxIDLength {
		return fmt.Errorf("%w: %d characters, at most %d", ErrInvalidID, len(id), MaxIDLength)
	}
	for i := 0; i < len(id); i++ {
		if !tokenByte(id[i]) {
			return fmt.Errorf("%w: character %q at %d", ErrInvalidID, id[i], i)
		}
	}
	return nil
}

func tokenByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_'
}

// CheckTaxpayer reports whether s is an IIN/BIN: exactly 12 digits. The
// check digit is the intake's business (test identities may fail it);
// here it only matters that s is a safe subject token.
func CheckTaxpayer(s string) error {
	if len(s) != 12 {
		return fmt.Errorf("%w: %d characters, want 12 digits", ErrInvalidTaxpayer, len(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%w: character %q at %d", ErrInvalidTaxpayer, s[i], i)
		}
	}
	return nil
}

// CheckHeader reports whether v can be a header value salyq copies into
// keys, views and logs: valid UTF-8, at most MaxHeaderLength bytes, no
// control characters (NUL, CR, LF …).
func CheckHeader(v string) error {
	if len(v) > MaxHeaderLength {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrInvalidHeader, len(v), MaxHeaderLength)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: not UTF-8", ErrInvalidHeader)
	}
	for i, r := range v {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: control character %U at %d", ErrInvalidHeader, r, i)
		}
	}
	return nil
}

// FieldError names the field or header that failed a check.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the check's error.
func (e *FieldError) Unwrap() error { return e.Err }
