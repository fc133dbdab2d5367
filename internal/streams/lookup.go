package streams

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Lookup finds every stream and bucket of the layout without creating or
// changing anything: admin commands use it, so that a command run with
// other flags than the services (or none) never alters a live layout.
// A missing one is a *NotFoundError.
func Lookup(ctx context.Context, js jetstream.JetStream) (*Set, error) {
	var set Set
	for _, s := range layout(DefaultConfig()) {
		if err := s.bind(ctx, js, &set); err != nil {
			if isNotFound(err) {
				return nil, &NotFoundError{Kind: s.kind(), Name: s.name}
			}
			return nil, fmt.Errorf("looking up %s %s: %w", s.kind(), s.name, err)
		}
	}
	return &set, nil
}

// isNotFound reports a missing stream or bucket.
func isNotFound(err error) bool {
	return errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, jetstream.ErrBucketNotFound)
}
