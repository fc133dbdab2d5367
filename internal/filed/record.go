package filed

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/streams"
)

// Record appends id to SALYQ_FILED and returns once JetStream stored it.
// Recording an id again is harmless: the index is a set. No Nats-Msg-Id,
// so JetStream keeps no duplicate-window entry per id in memory; a
// repeat costs only its bytes on disk.
func Record(ctx context.Context, js jetstream.JetStream, id string) error {
	m := nats.NewMsg(streams.FiledSubject)
	m.Data = []byte(id)
	m.Header.Set(streams.HeaderID, id)
	if _, err := js.PublishMsg(ctx, m); err != nil {
		return fmt.Errorf("filed: %s: %w", id, err)
	}
	return nil
}
