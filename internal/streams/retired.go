package streams

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// retired are the streams earlier versions made and this one no longer
// uses, with why: an upgraded deployment still has them.
var retired = map[string]string{
	"SALYQ_RECEIPTS": "receipts travel on the worker's sent event on " + Status,
}

// retire reports each retired stream that exists as a difference and,
// with Reconfigure, deletes it. What it still holds is redundant: the
// receipts of SALYQ_RECEIPTS are also on the board's records, from which
// the poller that takes the lease rebuilds its store.
func retire(ctx context.Context, js jetstream.JetStream, cfg Config) ([]Diff, error) {
	var diffs []Diff
	for name, why := range retired {
		st, err := js.Stream(ctx, name)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%w: stream %s: %w", ErrProvision, name, err)
		}
		d := Diff{Kind: "stream", Name: name, Field: "use", Have: "exists", Want: "none (" + why + ")"}
		msgs := st.CachedInfo().State.Msgs
		if !cfg.Reconfigure {
			cfg.Log.Warn("JetStream layout: a stream this version no longer uses; --reconfigure deletes it",
				"stream", name, "why", why, "messages", msgs)
			diffs = append(diffs, d)
			continue
		}
		if err := js.DeleteStream(ctx, name); err != nil && !isNotFound(err) {
			return nil, &ReconfigureError{Diffs: []Diff{d}, Err: err}
		}
		cfg.Log.Warn("JetStream layout: deleted a stream this version no longer uses (--reconfigure)", "stream", name, "why", why, "messages", msgs)
	}
	return diffs, nil
}
