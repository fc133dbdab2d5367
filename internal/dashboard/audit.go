package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/streams"
)

// auditReplay is the subject of replay records on SALYQ_AUDIT.
const auditReplay = streams.AuditPrefix + "replay"

// auditShown is how many of the newest records the dead-letter page
// reads.
const auditShown = 100

// Replayed is the audit record of one replay from the dashboard: who
// (the token's name), when, what was asked (the forms, or all of one
// reason) and what was replayed. Stored on SALYQ_AUDIT, subject
// salyq.audit.replay, as JSON.
type Replayed struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason,omitempty"`
	IDs    []string  `json:"ids"`
	Count  int       `json:"replayed"`
	Error  string    `json:"error,omitempty"`
}

// record stores rec, waiting for JetStream's acknowledgement: a replay
// whose record cannot be stored is reported to the operator.
func (s *Server) record(ctx context.Context, rec Replayed) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := s.cfg.JS.Publish(ctx, auditReplay, data); err != nil {
		return fmt.Errorf("dashboard: audit record: %w", err)
	}
	return nil
}

// audit returns the newest replay records, newest first, keeping of each
// only the forms who may see (and none with no such form).
func (s *Server) audit(ctx context.Context, who auth.Principal, allowed func(id string) bool) ([]Replayed, error) {
	info, err := s.cfg.Streams.Audit.Info(ctx)
	if err != nil {
		return nil, err
	}
	if info.State.Msgs == 0 {
		return nil, nil
	}
	start := uint64(1)
	if info.State.LastSeq > auditShown {
		start = info.State.LastSeq - auditShown + 1
	}
	cons, err := s.cfg.JS.OrderedConsumer(ctx, streams.Audit, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{auditReplay}, DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: start,
	})
	if err != nil {
		return nil, err
	}
	ci, err := cons.Info(ctx)
	if err != nil {
		return nil, err
	}
	var out []Replayed
	for pending := ci.NumPending; pending > 0; {
		batch, err := cons.Fetch(int(min(pending, 256)), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, err
		}
		n := 0
		for m := range batch.Messages() {
			n++
			var rec Replayed
			if json.Unmarshal(m.Data(), &rec) != nil {
				continue
			}
			if !who.All {
				var ids []string
				for _, id := range rec.IDs {
					if allowed(id) {
						ids = append(ids, id)
					}
				}
				if len(ids) == 0 {
					continue
				}
				rec.IDs, rec.Reason = ids, ""
			}
			out = append(out, rec)
		}
		if err := batch.Error(); n == 0 || (err != nil && !errors.Is(err, jetstream.ErrNoMessages)) {
			break
		}
		pending -= uint64(n)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}
