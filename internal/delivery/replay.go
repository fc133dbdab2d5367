package delivery

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/settle"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// Letter is one message on SALYQ_DLQ.
type Letter struct {
	ID              string    `json:"id"`
	Seq             uint64    `json:"seq"`
	Reason          string    `json:"reason"`
	Code            string    `json:"code,omitempty"`
	OriginalSubject string    `json:"originalSubject"`
	Attempts        int       `json:"attempts"`
	At              time.Time `json:"at"`

	msg jetstream.Msg
}

// DeadLetters lists the dead-letter stream, oldest first.
func DeadLetters(ctx context.Context, js jetstream.JetStream) ([]Letter, error) {
	var out []Letter
	err := streams.Scan(ctx, js, streams.DLQ, jetstream.ConsumerConfig{}, func(m jetstream.Msg) (bool, error) {
		md, err := m.Metadata()
		if err != nil {
			return true, nil
		}
		attempts, _ := strconv.Atoi(m.Headers().Get(streams.HeaderAttempts))
		out = append(out, Letter{
			ID:              strings.TrimPrefix(m.Subject(), streams.DLQPrefix),
			Seq:             md.Sequence.Stream,
			Reason:          m.Headers().Get(streams.HeaderReason),
			Code:            m.Headers().Get(streams.HeaderCode),
			OriginalSubject: m.Headers().Get(streams.HeaderOriginalSubject),
			Attempts:        attempts,
			At:              md.Timestamp,
			msg:             m,
		})
		return true, nil
	})
	if err != nil {
		return out, fmt.Errorf("dead letters: %w", err)
	}
	return out, nil
}

// Replay sends the dead letters that match back to SALYQ_SUBMISSIONS, once
// their cause is fixed. The journal record is reset — except an attempt
// still in flight, whose fate the worker settles with SONO before sending
// anything — then the submission is republished and the dead letter
// removed. It returns how many were replayed.
func Replay(ctx context.Context, js jetstream.JetStream, set *streams.Set, b *board.Board, match func(id string) bool, clock func() time.Time) (int, error) {
	letters, err := DeadLetters(ctx, js)
	if err != nil {
		return 0, err
	}
	journal := NewJournal(b)
	n := 0
	for _, l := range letters {
		// A poison letter has no usable id, and a status event the poller
		// dead-lettered (a bad receipt) is no submission: there is
		// nothing to replay, only a message for an operator to read.
		if l.ID == strings.TrimPrefix(settle.PoisonSubject, streams.DLQPrefix) || streams.CheckID(l.ID) != nil || !match(l.ID) ||
			(l.OriginalSubject != "" && !strings.HasPrefix(l.OriginalSubject, streams.SubmitPrefix)) {
			continue
		}
		rec, rev, err := journal.Load(ctx, l.ID)
		if err != nil {
			return n, err
		}
		now := clock()
		v := board.View{ID: l.ID, Taxpayer: l.msg.Headers().Get(streams.HeaderTaxpayer)}
		if rec.View != nil {
			v = *rec.View
		}
		v.Status, v.Terminal, v.Reason, v.Updated = statusfsm.StateQueued, false, "", now
		rec = Record{InFlight: rec.InFlight, Version: rec.Version}
		if rec.InFlight != nil {
			rec.State = statusfsm.StateSending
		}
		rec.SetView(v)
		if _, err := journal.Save(ctx, l.ID, &rec, rev); err != nil {
			return n, fmt.Errorf("replay %s: %w", l.ID, err)
		}
		m := nats.NewMsg(l.OriginalSubject)
		if m.Subject == "" {
			m.Subject = streams.SubmitSubject(v.Taxpayer)
		}
		m.Data = l.msg.Data()
		for _, h := range []string{streams.HeaderTaxpayer, streams.HeaderForm, streams.HeaderPeriod, streams.HeaderKind} {
			m.Header.Set(h, l.msg.Headers().Get(h))
		}
		m.Header.Set(streams.HeaderID, l.ID)
		// A new id: the original is still in the duplicate window.
		m.Header.Set(jetstream.MsgIDHeader, l.ID+":replay:"+strconv.FormatUint(l.Seq, 10))
		if _, err := js.PublishMsg(ctx, m); err != nil {
			return n, fmt.Errorf("replay %s: %w", l.ID, err)
		}
		b.Publish(ctx, v.Taxpayer, &board.Event{ID: l.ID, From: statusfsm.StateFailedDelivery, To: statusfsm.StateQueued, At: now, Message: "replayed"})
		if err := set.DLQ.DeleteMsg(ctx, l.Seq); err != nil {
			return n, fmt.Errorf("replay %s: removing the dead letter: %w", l.ID, err)
		}
		n++
	}
	return n, nil
}
