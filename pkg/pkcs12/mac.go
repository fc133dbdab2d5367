package pkcs12

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"hash"
)

// macData is RFC 7292's MacData.
type macData struct {
	Mac        digestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

// digestInfo is PKCS#1's DigestInfo.
type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

// pbmac1Params is RFC 9579's PBMAC1-params.
type pbmac1Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	MessageAuthScheme pkix.AlgorithmIdentifier
}

// digestHash maps a digest OID (as used in MacData) to its hash.
func digestHash(oid asn1.ObjectIdentifier) (func() hash.Hash, bool) {
	switch {
	case oid.Equal(oidSHA1):
		return sha1.New, true
	case oid.Equal(oidSHA224):
		return sha256.New224, true
	case oid.Equal(oidSHA256):
		return sha256.New, true
	case oid.Equal(oidSHA384):
		return sha512.New384, true
	case oid.Equal(oidSHA512):
		return sha512.New, true
	}
	return nil, false
}

// verifyMAC checks md over content, which must be the authSafe octets
// exactly as stored (the MAC covers them, not any re-encoding).
func verifyMAC(md *macData, content []byte, password string) error {
	alg := md.Mac.Algorithm.Algorithm
	if alg.Equal(oidPBMAC1) {
		return verifyPBMAC1(md, content, password)
	}
	newHash, ok := digestHash(alg)
	if !ok {
		return unsupported("MAC digest", alg)
	}
	if err := checkIterations(md.Iterations, "MAC"); err != nil {
		return err
	}
	pw, err := bmpPassword(password)
	if err != nil {
		return err
	}
	defer clear(pw)
	if macMatches(newHash, pw, md, content) {
		return nil
	}
	// Some writers encode the empty password as zero bytes rather than
	// as the bare BMPString terminator.
	if password == "" && macMatches(newHash, nil, md, content) {
		return nil
	}
	return wrongPassword("pkcs12: MAC verification failed")
}

func macMatches(newHash func() hash.Hash, pw []byte, md *macData, content []byte) bool {
	key := pkcs12KDF(newHash, pw, md.MacSalt, md.Iterations, kdfIDMAC, newHash().Size())
	defer clear(key)
	m := hmac.New(newHash, key)
	m.Write(content)
	return hmac.Equal(m.Sum(nil), md.Mac.Digest)
}

// verifyPBMAC1 handles RFC 9579 MACs (OpenSSL 3.4 -pbmac1_pbkdf2,
// go-pkcs12 Modern2026). MacData's own salt and iterations are then unused.
func verifyPBMAC1(md *macData, content []byte, password string) error {
	var p pbmac1Params
	if err := unmarshalDER(md.Mac.Algorithm.Parameters.FullBytes, &p, "PBMAC1 parameters"); err != nil {
		return err
	}
	newHash, ok := hmacHash(p.MessageAuthScheme.Algorithm)
	if !ok {
		return unsupported("PBMAC1 MAC", p.MessageAuthScheme.Algorithm)
	}
	key, err := pbkdf2Key(p.KeyDerivationFunc, password, 0, "PBMAC1")
	if err != nil {
		return err
	}
	defer clear(key)
	m := hmac.New(newHash, key)
	m.Write(content)
	if !hmac.Equal(m.Sum(nil), md.Mac.Digest) {
		return wrongPassword("pkcs12: MAC verification failed")
	}
	return nil
}
