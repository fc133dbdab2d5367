package filed

import (
	"context"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/streams"
)

// Record appends ids to SALYQ_FILED, in one message, and returns once
// JetStream stored it: one fsync'd write however many forms finished
// together. Recording an id again is harmless: the index is a set. No
// Nats-Msg-Id, so JetStream keeps no duplicate-window entry per id in
// memory; a repeat costs only its bytes on disk. The caller keeps a
// message under the server's max_payload (a megabyte holds some 30,000
// ids).
func Record(ctx context.Context, js jetstream.JetStream, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	m := nats.NewMsg(streams.FiledSubject)
	m.Data = []byte(strings.Join(ids, "\n"))
	if _, err := js.PublishMsg(ctx, m); err != nil {
		return fmt.Errorf("filed: %s (%d ids): %w", ids[0], len(ids), err)
	}
	return nil
}
