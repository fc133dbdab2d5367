package rc2

import (
	"errors"
	"fmt"
)

var (
	// ErrKeySize reports a key shorter than 1 byte or longer than 128 bytes.
	ErrKeySize = errors.New("rc2: invalid key size")
	// ErrEffectiveBits reports an effective key length outside 1..1024 bits.
	ErrEffectiveBits = errors.New("rc2: invalid effective key bits")
)

// KeySizeError is returned by NewCipher for a key of unusable length. It
// carries only the length, never key material.
type KeySizeError struct {
	Len int
}

func (e *KeySizeError) Error() string {
	return fmt.Sprintf("rc2: invalid key size %d bytes (want 1..128)", e.Len)
}

// Is makes errors.Is(err, ErrKeySize) true.
func (e *KeySizeError) Is(target error) bool { return target == ErrKeySize }

// Unwrap returns ErrKeySize.
func (e *KeySizeError) Unwrap() error { return ErrKeySize }

// EffectiveBitsError is returned by NewCipher for an effective key length
// outside 1..1024.
type EffectiveBitsError struct {
	Bits int
}

func (e *EffectiveBitsError) Error() string {
	return fmt.Sprintf("rc2: invalid effective key bits %d (want 1..1024)", e.Bits)
}

// Is makes errors.Is(err, ErrEffectiveBits) true.
func (e *EffectiveBitsError) Is(target error) bool { return target == ErrEffectiveBits }

// Unwrap returns ErrEffectiveBits.
func (e *EffectiveBitsError) Unwrap() error { return ErrEffectiveBits }
