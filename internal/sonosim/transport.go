package sonosim

import (
	"context"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/salyq/salyq/pkg/ncakey"
)

// checkTransport judges the certificate that signed the WS-Security
// header: an NCA certificate with a readable identity, a signing key (an
// AUTH-only key may not sign, docs/PROTOCOL.md §5), valid at now, chaining to a
// trust anchor. The message says which, for the sender's operator.
func (s *Server) checkTransport(ctx context.Context, cert *x509.Certificate, now time.Time) error {
	id, err := ncakey.ParseIdentity(cert, s.cfg.AllowTestIdentities)
	if err != nil {
		return fmt.Errorf("transport certificate: %w", err)
	}
	if err := id.CheckCanSign(); err != nil {
		return fmt.Errorf("transport certificate: %w", err)
	}
	if err := id.CheckValidAt(now); err != nil {
		return fmt.Errorf("transport certificate: %w", err)
	}
	if err := s.checkChain(ctx, cert, now); err != nil {
		return fmt.Errorf("transport certificate does not chain to a trusted root: %w", err)
	}
	return nil
}
