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

// WithRetention makes the record of a finished submission (a terminal
// view) expire d after its last write; 0 keeps records for good. Before
// such a record is written its id goes to SALYQ_FILED (filed.Record),
// which the intake's filed.Index reads, so a form whose record expired
// is still refused as a duplicate. Records that are not terminal never
// carry a TTL: a later write of one replaces the message and its TTL.
func WithRetention(d time.Duration) Option {
	return func(b *Board) { b.retention = d }
}

// DefaultRetention keeps finished records 90 days: accountants look a
// quarter's results up until the next quarter's filing, about three
// months later; the exchange journal keeps every exchange five years,
// and SALYQ_FILED every filed id for good.
const DefaultRetention = 90 * 24 * time.Hour

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
