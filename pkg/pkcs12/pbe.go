package pkcs12

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"

	"github.com/salyq/salyq/pkg/crypto/rc2"
)

// pbeParams is RFC 7292 appendix C's PBEParameter.
type pbeParams struct {
	Salt       []byte
	Iterations int
}

// pbes2Params is RFC 8018's PBES2-params.
type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

// pbkdf2Params is RFC 8018's PBKDF2-params. Salt is a CHOICE, of which
// only the OCTET STRING alternative is in use anywhere.
type pbkdf2Params struct {
	Salt       asn1.RawValue
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

var errBadPadding = errors.New("bad padding after decryption")

// pkcs12PBE describes one of the RFC 7292 appendix C PBE schemes.
type pkcs12PBE struct {
	keyLen    int
	newCipher func(key []byte) (cipher.Block, error)
}

func pkcs12PBEFor(oid asn1.ObjectIdentifier) (pkcs12PBE, bool) {
	switch {
	case oid.Equal(oidPBEWithSHA3KeyDES):
		return pkcs12PBE{24, des.NewTripleDESCipher}, true
	case oid.Equal(oidPBEWithSHA2KeyDES):
		return pkcs12PBE{16, func(k []byte) (cipher.Block, error) {
			// Two-key 3DES is K1 K2 K1.
			k3 := append(append(make([]byte, 0, 24), k...), k[:8]...)
			defer clear(k3)
			return des.NewTripleDESCipher(k3)
		}}, true
	case oid.Equal(oidPBEWithSHA128RC2):
		return pkcs12PBE{16, func(k []byte) (cipher.Block, error) { return rc2.NewCipher(k, 128) }}, true
	case oid.Equal(oidPBEWithSHA40RC2):
		return pkcs12PBE{5, func(k []byte) (cipher.Block, error) { return rc2.NewCipher(k, 40) }}, true
	}
	return pkcs12PBE{}, false
}

// decrypt undoes the password-based encryption described by alg. where
// names the structure for error messages.
func decrypt(alg pkix.AlgorithmIdentifier, ciphertext []byte, password string, where string) ([]byte, error) {
	if pbe, ok := pkcs12PBEFor(alg.Algorithm); ok {
		return decryptPKCS12PBE(pbe, alg, ciphertext, password, where)
	}
	if alg.Algorithm.Equal(oidPBES2) {
		return decryptPBES2(alg, ciphertext, password, where)
	}
	return nil, unsupported(where+" encryption", alg.Algorithm)
}

func decryptPKCS12PBE(pbe pkcs12PBE, alg pkix.AlgorithmIdentifier, ciphertext []byte, password, where string) ([]byte, error) {
	var p pbeParams
	if err := unmarshalDER(alg.Parameters.FullBytes, &p, where+" PBE parameters"); err != nil {
		return nil, err
	}
	if err := checkIterations(p.Iterations, where); err != nil {
		return nil, err
	}
	pw, err := bmpPassword(password)
	if err != nil {
		return nil, err
	}
	defer clear(pw)
	key := pkcs12KDF(sha1.New, pw, p.Salt, p.Iterations, kdfIDKey, pbe.keyLen)
	defer clear(key)
	block, err := pbe.newCipher(key)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: %s cipher: %w", where, err)
	}
	iv := pkcs12KDF(sha1.New, pw, p.Salt, p.Iterations, kdfIDIV, block.BlockSize())
	return cbcDecrypt(block, iv, ciphertext, where)
}

func decryptPBES2(alg pkix.AlgorithmIdentifier, ciphertext []byte, password, where string) ([]byte, error) {
	var p pbes2Params
	if err := unmarshalDER(alg.Parameters.FullBytes, &p, where+" PBES2 parameters"); err != nil {
		return nil, err
	}
	var keyLen int
	var newCipher func([]byte) (cipher.Block, error)
	switch enc := p.EncryptionScheme.Algorithm; {
	case enc.Equal(oidAES128CBC):
		keyLen, newCipher = 16, aes.NewCipher
	case enc.Equal(oidAES192CBC):
		keyLen, newCipher = 24, aes.NewCipher
	case enc.Equal(oidAES256CBC):
		keyLen, newCipher = 32, aes.NewCipher
	case enc.Equal(oidDESEDE3CBC):
		keyLen, newCipher = 24, des.NewTripleDESCipher
	default:
		return nil, unsupported(where+" PBES2 cipher", enc)
	}
	var iv []byte
	if err := unmarshalDER(p.EncryptionScheme.Parameters.FullBytes, &iv, where+" PBES2 IV"); err != nil {
		return nil, err
	}
	key, err := pbkdf2Key(p.KeyDerivationFunc, password, keyLen, where)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	block, err := newCipher(key)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: %s cipher: %w", where, err)
	}
	if len(iv) != block.BlockSize() {
		return nil, malformed(where+" PBES2 IV", fmt.Errorf("length %d, want %d", len(iv), block.BlockSize()))
	}
	return cbcDecrypt(block, iv, ciphertext, where)
}

// pbkdf2Key runs the PBKDF2 described by kdf. keyLen is the length the
// caller needs; 0 means "take it from the parameters" (PBMAC1).
func pbkdf2Key(kdf pkix.AlgorithmIdentifier, password string, keyLen int, where string) ([]byte, error) {
	if !kdf.Algorithm.Equal(oidPBKDF2) {
		return nil, unsupported(where+" key derivation", kdf.Algorithm)
	}
	var p pbkdf2Params
	if err := unmarshalDER(kdf.Parameters.FullBytes, &p, where+" PBKDF2 parameters"); err != nil {
		return nil, err
	}
	if p.Salt.Class != asn1.ClassUniversal || p.Salt.Tag != asn1.TagOctetString || p.Salt.IsCompound {
		return nil, unsupported(where+" PBKDF2 salt source (not an OCTET STRING)", nil)
	}
	if err := checkIterations(p.Iterations, where); err != nil {
		return nil, err
	}
	switch {
	case keyLen == 0 && (p.KeyLength <= 0 || p.KeyLength > 128):
		return nil, malformed(where+" PBKDF2 parameters", fmt.Errorf("key length %d", p.KeyLength))
	case keyLen == 0:
		keyLen = p.KeyLength
	case p.KeyLength != 0 && p.KeyLength != keyLen:
		return nil, malformed(where+" PBKDF2 parameters", fmt.Errorf("key length %d, cipher needs %d", p.KeyLength, keyLen))
	}
	prf := sha1.New // RFC 8018 default
	if len(p.PRF.Algorithm) > 0 {
		var ok bool
		if prf, ok = hmacHash(p.PRF.Algorithm); !ok {
			return nil, unsupported(where+" PBKDF2 PRF", p.PRF.Algorithm)
		}
	}
	// PBES2 takes the password as bytes; every producer we know of uses
	// its UTF-8 form, not the BMPString of the PKCS#12 KDF.
	key, err := pbkdf2.Key(prf, password, p.Salt.Bytes, p.Iterations, keyLen)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: %s PBKDF2: %w", where, err)
	}
	return key, nil
}

// hmacHash maps an hmacWithSHA* PRF OID to its hash.
func hmacHash(oid asn1.ObjectIdentifier) (func() hash.Hash, bool) {
	switch {
	case oid.Equal(oidHMACWithSHA1):
		return sha1.New, true
	case oid.Equal(oidHMACWithSHA224):
		return sha256.New224, true
	case oid.Equal(oidHMACWithSHA256):
		return sha256.New, true
	case oid.Equal(oidHMACWithSHA384):
		return sha512.New384, true
	case oid.Equal(oidHMACWithSHA512):
		return sha512.New, true
	}
	return nil, false
}

func checkIterations(n int, where string) error {
	if n < 1 || n > MaxIterations {
		return malformed(where+" parameters", fmt.Errorf("iteration count %d outside 1..%d", n, MaxIterations))
	}
	return nil
}

// cbcDecrypt decrypts and strips PKCS#7 padding. A padding failure is the
// usual symptom of a wrong key, so it is reported as ErrWrongPassword.
func cbcDecrypt(block cipher.Block, iv, ciphertext []byte, where string) ([]byte, error) {
	bs := block.BlockSize()
	if len(ciphertext) == 0 || len(ciphertext)%bs != 0 {
		return nil, malformed(where+" ciphertext", fmt.Errorf("length %d is not a positive multiple of %d", len(ciphertext), bs))
	}
	out := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, ciphertext)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > bs {
		clear(out)
		return nil, fmt.Errorf("pkcs12: decrypting %s: %w: %w", where, errBadPadding, ErrWrongPassword)
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			clear(out)
			return nil, fmt.Errorf("pkcs12: decrypting %s: %w: %w", where, errBadPadding, ErrWrongPassword)
		}
	}
	return out[:len(out)-pad], nil
}
