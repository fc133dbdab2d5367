package intake

import (
	"fmt"
	"strconv"
)

// DefaultMaxFormSize is the maximum form size unless configured: FNO
// forms are tens of kilobytes (a 910.00 is about 20 KB, forms with many
// appendix pages a few hundred), a form is held at several times its size
// while it is parsed and signed, and the signed form plus headers must fit
// one NATS message — 8 MiB in salyq's server configurations, NATS'
// default 1 MB being too small for it on purpose so that a cluster not
// configured for salyq is noticed at start, not at the first large form.
const DefaultMaxFormSize = 4 << 20

// PublishOverhead is the room a form needs in a NATS message beyond its
// own bytes: the signature and certificate the intake adds (a few KB),
// the submission headers, and the dead-letter headers if it ends there.
const PublishOverhead = 64 << 10

// CheckPayload refuses a maximum form size whose signed form would not
// fit maxPayload, the NATS server's max_payload (nats.Conn.MaxPayload).
func CheckPayload(maxForm, maxPayload int64) error {
	if maxForm+PublishOverhead <= maxPayload {
		return nil
	}
	return fmt.Errorf("%w: a form of %s needs messages of %s, the server allows %s: raise max_payload in the NATS server configuration (salyq's deployments/nats set 8MB) or lower --max-form-size (SALYQ_MAX_FORM_SIZE)",
		ErrPayloadLimit, sizeString(maxForm), sizeString(maxForm+PublishOverhead), sizeString(maxPayload))
}

// sizeString formats n bytes for a person, exactly.
func sizeString(n int64) string {
	switch {
	case n > 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n > 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
