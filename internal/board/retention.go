package board

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/filed"
)

// Option configures a Board.
type Option func(*Board)

// WithRetention makes the record of a finished submission expire d
// after its last write; 0 keeps records for good. Before such a record
// is written its id goes to SALYQ_FILED (filed.Record), which the
// intake's filed.Index reads, so a form whose record expired is still
// refused as a duplicate. Other records never carry a TTL, and a later
// write of one replaces the message and its TTL (a replayed dead letter).
// See expires for which records are finished.
func WithRetention(d time.Duration) Option {
	return func(b *Board) { b.retention = d }
}

// DefaultRetention keeps finished records 90 days: accountants look a
// quarter's results up until the next quarter's filing, about three
// months later; the exchange journal keeps every exchange five years,
// and SALYQ_FILED every filed id for good.
const DefaultRetention = 90 * 24 * time.Hour

// expires reports whether a record with view v expires: a terminal one
// that SONO took (it has a request id). A dead letter (failed-delivery)
// stays: `salyq dlq replay` needs its delivery journal, which says
// whether an attempt may have reached SONO; dead letters are few and
// SALYQ_DLQ keeps them for good anyway. The poller rebuilds its store
// from records with a request id (reconcile), and only the terminal ones
// among them go, which it no longer polls.
func (v *View) expires() bool {
	return v != nil && v.Terminal && v.RequestID != ""
}

// errCodeTTLDisabled is JetStream's answer to a Nats-TTL on a stream
// without per-message TTL (JSMessageTTLDisabledErr).
const errCodeTTLDisabled = 10166

// storeFinished is Store for a terminal record: the id is recorded as
// filed, then the record written with the retention as its TTL, by
// compare-and-set on the subject's last sequence as Store does.
func (b *Board) storeFinished(ctx context.Context, id string, data []byte, rev uint64) (uint64, error) {
	if err := filed.Record(ctx, b.js, id); err != nil {
		return 0, err
	}
	m := nats.NewMsg("$KV." + b.kv.Bucket() + "." + id)
	m.Data = data
	ack, err := b.js.PublishMsg(ctx, m, jetstream.WithMsgTTL(b.retention), jetstream.WithExpectLastSequencePerSubject(rev))
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode == errCodeTTLDisabled {
		// A bucket made before retention existed, not reconfigured yet
		// (provisioning warned): the record stays, as it always did.
		ack, err = b.js.PublishMsg(ctx, m, jetstream.WithExpectLastSequencePerSubject(rev))
	}
	if err != nil {
		return 0, storeErr(id, err)
	}
	return ack.Sequence, nil
}
