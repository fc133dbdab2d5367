package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
)

// TokenPrefix starts every token, so that a secret scanner or an operator
// recognises one in a paste.
const TokenPrefix = "slq_"

// NewToken returns a token of 256 random bits from r (crypto/rand.Reader
// when nil).
func NewToken(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("auth: random token: %w", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Hash is what the tokens file stores of a token. A plain SHA-256 is
// enough here, unlike for passwords: a token has 256 random bits, so no
// dictionary or brute force gets anywhere, and a fast hash keeps the
// check cheap on every request. The file still leaks nothing usable.
func Hash(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}
