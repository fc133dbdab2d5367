package dashboard

import (
	"context"
	"encoding/json"
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
	var out []Replayed
	err = streams.Scan(ctx, s.cfg.JS, streams.Audit, jetstream.ConsumerConfig{
		FilterSubject: auditReplay, DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: start,
	}, func(m jetstream.Msg) (bool, error) {
		var rec Replayed
		if json.Unmarshal(m.Data(), &rec) != nil {
			return true, nil
		}
		if !who.All {
			var ids []string
			for _, id := range rec.IDs {
				if allowed(id) {
					ids = append(ids, id)
				}
			}
			if len(ids) == 0 {
				return true, nil
			}
			rec.IDs, rec.Reason = ids, ""
		}
		out = append(out, rec)
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard: audit: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}
