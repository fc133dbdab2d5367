package board

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/streams"
)

// LoadStamped is Load that also returns when the server stored the
// revision: JetStream's own timestamp, the one clock every process shares,
// for decisions that must not compare one machine's wall clock with
// another's. A record never written has the zero time.
func (b *Board) LoadStamped(ctx context.Context, id string) (Record, uint64, time.Time, error) {
	// A key NATS cannot take (too long, a wildcard) would cost the
	// connection, not just this lookup.
	if err := streams.CheckID(id); err != nil {
		return Record{}, 0, time.Time{}, fmt.Errorf("board: %w", err)
	}
	e, err := b.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Record{}, 0, time.Time{}, nil
	}
	if err != nil {
		return Record{}, 0, time.Time{}, fmt.Errorf("board: %s: %w", id, err)
	}
	var r Record
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		return Record{}, 0, time.Time{}, fmt.Errorf("board: %s: %w", id, err)
	}
	return r, e.Revision(), e.Created(), nil
}
