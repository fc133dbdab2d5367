package ncakey

import "crypto/x509"

// Usage says what a key may be used for, from the certificate's key
// usage bits. NCA used to issue two keys per holder (SIGN and AUTH);
// current GOST 2015 keys are one combined key with both.
type Usage uint8

// Usage bits.
const (
	// UsageSign: digitalSignature + nonRepudiation — may sign documents.
	UsageSign Usage = 1 << iota
	// UsageAuth: digitalSignature + keyEncipherment or keyAgreement — may
	// authenticate (TLS client, login).
	UsageAuth
)

// usageOf classifies x509 key usage bits. nonRepudiation is what makes a
// legally binding signature key, so an AUTH key (digitalSignature alone
// with keyEncipherment) never counts as a signing key.
func usageOf(ku x509.KeyUsage) Usage {
	var u Usage
	if ku&x509.KeyUsageDigitalSignature == 0 {
		return 0
	}
	if ku&x509.KeyUsageContentCommitment != 0 {
		u |= UsageSign
	}
	if ku&(x509.KeyUsageKeyEncipherment|x509.KeyUsageKeyAgreement) != 0 {
		u |= UsageAuth
	}
	return u
}

// CanSign reports whether the usage includes signing documents.
func (u Usage) CanSign() bool { return u&UsageSign != 0 }

// CanAuth reports whether the usage includes authentication.
func (u Usage) CanAuth() bool { return u&UsageAuth != 0 }

func (u Usage) String() string {
	switch u {
	case UsageSign:
		return "SIGN"
	case UsageAuth:
		return "AUTH"
	case UsageSign | UsageAuth:
		return "SIGN|AUTH"
	}
	return "NONE"
}
