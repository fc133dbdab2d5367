package certcheck

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/salyq/salyq/pkg/crypto/gostcert"
	"github.com/salyq/salyq/pkg/ncakey"
)

// Report is what `salyq keys inspect` shows about a key.
type Report struct {
	Subject    string
	CommonName string
	IIN, BIN   string
	// Name is the information system's name (its CN), for that role only.
	Name      string
	Role      string
	Usage     string // SIGN, AUTH, SIGN|AUTH
	Test      bool   // NCA test identifiers
	Algorithm string // e.g. "GOST 2015-512", "RSA-2048"
	Serial    string // hex, as NCA prints it
	Issuer    string
	NotBefore time.Time
	NotAfter  time.Time
	// At is the time the key was checked at.
	At time.Time
	// Validity is "valid", or why not, at At.
	Validity string
	// ChainStatus is "trusted", "not checked" (no checker), or why no
	// trusted path was found.
	ChainStatus string
	// Chain lists the subjects from the leaf to the anchor, when built.
	Chain []string
	// Revocation of the leaf, when a chain was built.
	Revocation RevocationStatus
	// Warnings from the checker (revocation unknown under PolicyWarn).
	Warnings []string
	// Verdict is one line: usable at At, or refused and why.
	Verdict string
	// Err is the verification error, nil when the key is usable at At
	// (or was not checked).
	Err error
}

// Describe collects the report on key at time at. checker may be nil:
// the chain and revocation are then reported as not checked.
func Describe(key *ncakey.Key, checker *Checker, at time.Time) Report {
	cert := key.Certificate()
	id := key.Identity()
	r := Report{
		Subject:    nameString(cert.Subject),
		CommonName: cert.Subject.CommonName,
		IIN:        id.IIN,
		BIN:        id.BIN,
		Name:       id.Name,
		Role:       id.Role.String(),
		Usage:      id.Usage.String(),
		Test:       id.Test,
		Algorithm:  AlgorithmName(cert),
		Serial:     serialHex(cert.SerialNumber),
		Issuer:     nameString(cert.Issuer),
		NotBefore:  cert.NotBefore,
		NotAfter:   cert.NotAfter,
		At:         at,
		Validity:   "valid",
	}
	// Whether the key can sign at all is said with or without trust
	// anchors: an expired key or one without nonRepudiation is refused by
	// every check that follows, so there is nothing to wait for.
	own := checkValidity([]*x509.Certificate{cert}, at)
	if own != nil {
		r.Validity = own.Error()
	}
	if own == nil && !id.Usage.CanSign() {
		own = fmt.Errorf("%w: %s", ErrWrongUsage, id.Usage)
	}
	r.Err = own
	r.Verdict = "usable at " + at.Format(timeLayout)
	if checker == nil {
		r.ChainStatus = "not checked (no trust anchors configured)"
		r.Verdict += "; chain and revocation not checked (no --trust)"
		if own != nil {
			r.Verdict = "REFUSED: " + own.Error()
		}
		return r
	}
	chain, err := checker.VerifyContext(context.Background(), cert, key.Chain(), at)
	if err == nil {
		err = own
	}
	r.Err = err
	if err != nil {
		r.Verdict = "REFUSED: " + err.Error()
	}
	// A returned chain means a trusted path exists; the failure (if any)
	// is validity or revocation, reported on their own lines.
	r.ChainStatus = "trusted"
	if len(chain.Certificates) == 0 {
		r.ChainStatus = err.Error()
	}
	for _, c := range chain.Certificates {
		r.Chain = append(r.Chain, nameString(c.Subject))
	}
	if len(chain.Revocation) > 0 {
		r.Revocation = chain.Revocation[0]
	}
	r.Warnings = chain.Warnings
	return r
}

// AlgorithmName names a certificate's key the way users know it.
func AlgorithmName(cert *x509.Certificate) string {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	}
	pub, err := gostcert.PublicKeyOf(cert)
	if err != nil {
		return "unknown"
	}
	switch pub.Kind {
	case gostcert.GOST2015_512:
		return "GOST 2015-512"
	case gostcert.GOST2015_256:
		return "GOST 2015-256"
	case gostcert.GOST2004:
		return "GOST 34.310-2004"
	}
	return pub.Kind.String()
}

// WriteText renders the report for a terminal, one "label: value" line
// each.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-12s %s\n", label+":", value)
		}
	}
	line("Subject", r.Subject)
	line("Verdict", r.Verdict)
	line("IIN", r.IIN)
	line("BIN", r.BIN)
	role := r.Role
	if r.Test {
		role += " (NCA test identity)"
	}
	line("Role", role)
	line("Name", r.Name)
	line("Usage", r.Usage)
	line("Algorithm", r.Algorithm)
	line("Serial", r.Serial)
	line("Issuer", r.Issuer)
	// In the zone of the time of use: the caller's, for a person to read.
	zone := r.At.Location()
	line("Valid", r.NotBefore.In(zone).Format(timeLayout)+" to "+r.NotAfter.In(zone).Format(timeLayout))
	line("Checked at", r.At.Format(timeLayout))
	line("Validity", r.Validity)
	line("Chain", r.ChainStatus)
	for i, s := range r.Chain {
		fmt.Fprintf(&b, "  %d. %s\n", i, s)
	}
	if len(r.Chain) > 0 {
		line("Revocation", r.Revocation.describe())
	}
	for _, wmsg := range r.Warnings {
		line("Warning", wmsg)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
