package filed

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/streams"
	bolt "go.etcd.io/bbolt"
)

var (
	bucketIDs  = []byte("ids")
	bucketMeta = []byte("meta")
	keyLastSeq = []byte("lastSeq")
)

// followBatch is how many ids one bbolt transaction takes while the
// index catches up.
const followBatch = 1024

// Index is the local, on-disk copy of SALYQ_FILED that the intake asks
// (see the package doc). It is safe for concurrent use.
type Index struct {
	db        *bolt.DB
	ready     chan struct{}
	readyOnce sync.Once
}

// Open opens or creates the index file at path.
func Open(path string) (*Index, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("filed: %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketIDs, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("filed: %s: %w", path, err)
	}
	return &Index{db: db, ready: make(chan struct{})}, nil
}

// Close closes the file.
func (x *Index) Close() error { return x.db.Close() }

// Ready is closed once the index has caught up with SALYQ_FILED as it
// was when Follow started.
func (x *Index) Ready() <-chan struct{} { return x.ready }

// Filed reports whether id was recorded as filed. Before the index has
// caught up it answers ErrNotReady rather than a "no" it cannot vouch
// for.
func (x *Index) Filed(ctx context.Context, id string) (bool, error) {
	select {
	case <-x.ready:
	default:
		return false, ErrNotReady
	}
	var found bool
	err := x.db.View(func(tx *bolt.Tx) error {
		found = tx.Bucket(bucketIDs).Get([]byte(id)) != nil
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("filed: %w", err)
	}
	return found, nil
}

// Len is the number of ids the index holds.
func (x *Index) Len() (int, error) {
	var n int
	err := x.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketIDs).Stats().KeyN
		return nil
	})
	return n, err
}

// Follow reads SALYQ_FILED into the index until ctx ends, from where the
// index stopped, and closes Ready once it has read what the stream held
// at the start. A consumer that fails is made again after a backoff.
func (x *Index) Follow(ctx context.Context, js jetstream.JetStream, log *slog.Logger) error {
	b := backoff.NewExponentialBackOff(backoff.WithInitialInterval(100*time.Millisecond),
		backoff.WithMaxInterval(10*time.Second), backoff.WithMaxElapsedTime(0))
	for {
		err := x.follow(ctx, js)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d := b.NextBackOff()
		log.Warn("following SALYQ_FILED", "err", err, "retryIn", d.Round(time.Millisecond))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// follow is one consumer's life: it returns when the consumer fails or
// ctx ends.
func (x *Index) follow(ctx context.Context, js jetstream.JetStream) error {
	st, err := js.Stream(ctx, streams.Filed)
	if err != nil {
		return err
	}
	info, err := st.Info(ctx)
	if err != nil {
		return err
	}
	target := info.State.LastSeq
	last, err := x.lastSeq()
	if err != nil {
		return err
	}
	if last > target {
		// Read from another stream of that name (recreated): its ids
		// say nothing about this one.
		if err := x.reset(); err != nil {
			return err
		}
		last = 0
	}
	if last >= target {
		x.markReady()
	}
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{streams.FiledSubject}}
	if last > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = last + 1
	}
	cons, err := js.OrderedConsumer(ctx, streams.Filed, cfg)
	if err != nil {
		return err
	}
	defer streams.Drop(ctx, js, streams.Filed, cons)
	it, err := cons.Messages()
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	var ids [][]byte
	var seq uint64
	flush := func() error {
		if len(ids) == 0 {
			return nil
		}
		if err := x.add(ids, seq); err != nil {
			return err
		}
		ids = ids[:0]
		if seq >= target {
			x.markReady()
		}
		return nil
	}
	for {
		m, err := it.Next()
		if err != nil {
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return err
		}
		meta, err := m.Metadata()
		if err != nil {
			return err
		}
		for id := range bytes.SplitSeq(m.Data(), []byte("\n")) {
			if streams.CheckID(string(id)) == nil {
				ids = append(ids, id)
			}
		}
		seq = meta.Sequence.Stream
		if meta.NumPending == 0 || len(ids) >= followBatch {
			if err := flush(); err != nil {
				return err
			}
		}
		if seq >= target {
			x.markReady() // a tail of unusable ids
		}
	}
}

func (x *Index) markReady() { x.readyOnce.Do(func() { close(x.ready) }) }

// add stores ids and the stream sequence read up to in one transaction,
// so a restart neither skips nor needs to repeat anything.
func (x *Index) add(ids [][]byte, seq uint64) error {
	return x.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIDs)
		for _, id := range ids {
			if err := b.Put(id, []byte{}); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keyLastSeq, binary.BigEndian.AppendUint64(nil, seq))
	})
}

func (x *Index) lastSeq() (uint64, error) {
	var seq uint64
	err := x.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyLastSeq); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return seq, err
}

func (x *Index) reset() error {
	return x.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketIDs, bucketMeta} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		return nil
	})
}
