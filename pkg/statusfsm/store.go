package statusfsm

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout version this build reads and writes.
const SchemaVersion uint32 = 1

// maxIDLen bounds submission ids; they are hex digests in practice.
const maxIDLen = 512

// Buckets. Every write touches forms, history, outbox, counts and
// schedule in the same transaction, so they never disagree.
var (
	bucketMeta     = []byte("meta")     // "schema" → uint32 BE
	bucketForms    = []byte("forms")    // id → Form JSON
	bucketHistory  = []byte("history")  // id ‖ 0x00 ‖ seq BE8 → Entry JSON
	bucketOutbox   = []byte("outbox")   // history key of an unpublished entry → nil
	bucketSchedule = []byte("schedule") // nextPoll BE8 (sign-flipped) ‖ id → nil
	bucketCounts   = []byte("counts")   // state → uint64 BE
	keySchema      = []byte("schema")
)

// Options configures a Store. The zero value is usable.
type Options struct {
	// Table classifies statuses; nil means DefaultTable().
	Table *Table
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Backoff spaces polls of unchanged forms.
	Backoff Backoff
	// Timeout bounds the wait for the file lock held by another process;
	// zero means 1s (bbolt's zero would wait forever).
	Timeout time.Duration
	// NoSync skips fsync per transaction: for tests and benchmarks only,
	// a crash can lose recent transitions.
	NoSync bool
	// NoticeWatch keeps a form in the schedule this long after it reached
	// a terminal state, polled every NoticeEvery, for the notices the tax
	// office issues later (a desk audit's findings come weeks after
	// «Принята»). Zero stops polling at the terminal state.
	NoticeWatch time.Duration
	// NoticeEvery spaces the polls of a watched terminal form; zero means
	// DefaultNoticeEvery.
	NoticeEvery time.Duration
}

// DefaultNoticeWatch and DefaultNoticeEvery are the notice watch salyq's
// pollers keep by default: a quarter after the final status, which is
// as long as the board keeps the form's record (board.DefaultRetention),
// asked about once a day, so a notice is read within a day of its issue.
const (
	DefaultNoticeWatch = 90 * 24 * time.Hour
	DefaultNoticeEvery = 24 * time.Hour
)

// Store is the bbolt-backed status store. It is safe for concurrent use;
// bbolt serialises writers, which is what makes each Transition a
// compare-and-set.
type Store struct {
	db      *bolt.DB
	table   *Table
	clock   func() time.Time
	backoff Backoff
	// watch and watchEvery are Options.NoticeWatch and NoticeEvery.
	watch, watchEvery time.Duration
}

// Open opens or creates the store file at path.
func Open(path string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Table == nil {
		o.Table = DefaultTable()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.NoticeEvery <= 0 {
		o.NoticeEvery = DefaultNoticeEvery
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: o.Timeout, NoSync: o.NoSync, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("statusfsm: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketForms, bucketHistory, bucketOutbox, bucketSchedule, bucketCounts} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		v := meta.Get(keySchema)
		if v == nil {
			var b [4]byte
			binary.BigEndian.PutUint32(b[:], SchemaVersion)
			return meta.Put(keySchema, b[:])
		}
		if len(v) != 4 {
			return &SchemaError{Want: SchemaVersion}
		}
		if have := binary.BigEndian.Uint32(v); have != SchemaVersion {
			return &SchemaError{Have: have, Want: SchemaVersion}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("statusfsm: open %s: %w", path, err)
	}
	return &Store{db: db, table: o.Table, clock: o.Clock, backoff: o.Backoff, watch: max(o.NoticeWatch, 0), watchEvery: o.NoticeEvery}, nil
}

// Close closes the file.
func (s *Store) Close() error {
	return s.db.Close()
}

// Table returns the table the store classifies with.
func (s *Store) Table() *Table { return s.table }

// Path returns the file path.
func (s *Store) Path() string { return s.db.Path() }

// CheckID reports whether id can be a submission id in the store:
// ErrInvalidID if it is empty, too long or contains NUL.
func CheckID(id string) error { return checkID(id) }

func checkID(id string) error {
	if id == "" || len(id) > maxIDLen {
		return ErrInvalidID
	}
	for i := 0; i < len(id); i++ {
		if id[i] == 0 {
			return ErrInvalidID
		}
	}
	return nil
}

// update runs fn in one write transaction after checking ctx and id.
func (s *Store) update(ctx context.Context, id string, fn func(tx *bolt.Tx) error) error {
	if err := checkWrite(ctx, id); err != nil {
		return err
	}
	return s.db.Update(fn)
}

// batch is update for the calls many goroutines make at once (polls,
// receipts): bbolt commits the calls that arrive together in one
// transaction, one fsync for all of them (DB.Batch). fn may run more than
// once, so it sets everything it reports from scratch on each run.
func (s *Store) batch(ctx context.Context, id string, fn func(tx *bolt.Tx) error) error {
	if err := checkWrite(ctx, id); err != nil {
		return err
	}
	return s.db.Batch(fn)
}

// checkWrite refuses a write of id that cannot be made: a bad id, or ctx
// ended.
func checkWrite(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	return ctx.Err()
}

func getForm(tx *bolt.Tx, id string) (*Form, error) {
	v := tx.Bucket(bucketForms).Get([]byte(id))
	if v == nil {
		return nil, ErrNotFound
	}
	var f Form
	if err := json.Unmarshal(v, &f); err != nil {
		return nil, fmt.Errorf("%w: form %s: %v", ErrCorrupt, id, err)
	}
	return &f, nil
}

func putForm(tx *bolt.Tx, f *Form) error {
	v, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketForms).Put([]byte(f.ID), v)
}

// historyKey is id ‖ 0x00 ‖ seq: ids contain no NUL, so one form's entries
// are contiguous and ordered by seq.
func historyKey(id string, seq uint64) []byte {
	k := make([]byte, len(id)+1+8)
	copy(k, id)
	binary.BigEndian.PutUint64(k[len(id)+1:], seq)
	return k
}

// putEntry writes one history entry of form id.
func putEntry(tx *bolt.Tx, id string, e Entry) error {
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketHistory).Put(historyKey(id, e.Seq), v)
}

func historyPrefix(id string) []byte {
	k := make([]byte, len(id)+1)
	copy(k, id)
	return k
}

// bumpCount adds delta to the counter of state st.
func bumpCount(tx *bolt.Tx, st Status, delta int64) error {
	b := tx.Bucket(bucketCounts)
	var n int64
	if v := b.Get([]byte(st)); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	n += delta
	if n <= 0 {
		return b.Delete([]byte(st))
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(n))
	return b.Put([]byte(st), buf[:])
}

// recordOpts are the rarely used knobs of record.
type recordOpts struct {
	eventKey string // SONO history fingerprint
	late     bool   // record only, do not move
	extra    Flags  // flags to raise besides the move's
}

// record appends one history entry for f and, unless late, moves f to the
// entry's target with everything that goes with it: counters, flags and
// the schedule. The caller writes f back.
func (s *Store) record(tx *bolt.Tx, f *Form, to Status, m Meta, o recordOpts) (Entry, error) {
	late := o.late
	now := s.clock()
	at := m.At
	if at.IsZero() {
		at = now
	}
	e := Entry{
		From: f.State, To: to, At: at, Recorded: now,
		Source: m.Source, Message: m.Message, Late: late, EventKey: o.eventKey,
	}
	unknown := !s.table.Known(to)
	if late || e.From == "" {
		// A late entry moves nothing; a creating entry has nothing to move from.
		e.Flags = flagsOf(Expected, unknown)
	} else {
		e.Move = s.table.Classify(f.State, to)
		e.Flags = flagsOf(e.Move, unknown)
	}
	e.Flags |= o.extra
	f.Seq++
	e.Seq = f.Seq
	if err := putEntry(tx, f.ID, e); err != nil {
		return Entry{}, err
	}
	hk := historyKey(f.ID, e.Seq)
	// The entry waits in the outbox until the poller has published it: a
	// crash between recording and publishing cannot lose it.
	if err := tx.Bucket(bucketOutbox).Put(hk, nil); err != nil {
		return Entry{}, err
	}
	f.Flags |= e.Flags
	f.Updated = now
	if m.Message != "" || to == StateFailedDelivery {
		f.Message = m.Message
	}
	if late {
		return e, nil
	}
	if f.State != to || e.From == "" {
		if e.From != "" {
			if err := bumpCount(tx, f.State, -1); err != nil {
				return Entry{}, err
			}
		}
		if err := bumpCount(tx, to, 1); err != nil {
			return Entry{}, err
		}
	}
	if s.table.Terminal(to) && (e.From == "" || !s.table.Terminal(e.From)) {
		f.Final = now
	}
	f.State = to
	if to == StateSending {
		f.Attempts++
	}
	if m.RequestID != "" {
		f.RequestID = m.RequestID
	}
	if m.MessageID != "" {
		f.MessageID = m.MessageID
	}
	// Any recorded move is news: poll soon again.
	f.PollStep = 0
	if err := s.settleSchedule(tx, f, now); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// pollable reports whether forms in state st are polled for their
// status: from sent on, until terminal. Unknown statuses are pollable.
func (s *Store) pollable(st Status) bool {
	if s.table.Terminal(st) {
		return false
	}
	in := s.table.Info(st)
	return in.Kind != KindProduct || st == StateSent
}

// watched reports whether f is terminal and still polled at now for the
// notices issued after its final status (Options.NoticeWatch).
func (s *Store) watched(f *Form, now time.Time) bool {
	return s.watch > 0 && s.table.Terminal(f.State) && !f.Final.IsZero() && now.Before(f.Final.Add(s.watch))
}

// scheduled reports whether f belongs in the schedule at now.
func (s *Store) scheduled(f *Form, now time.Time) bool {
	return s.pollable(f.State) || s.watched(f, now)
}

// settleSchedule puts f in the schedule at now+NextPoll(PollStep) if its
// state is pollable, at now+NoticeEvery if it is watched for notices, and
// takes it out otherwise.
func (s *Store) settleSchedule(tx *bolt.Tx, f *Form, now time.Time) error {
	switch {
	case s.pollable(f.State):
		return setNextPoll(tx, f, now.Add(s.backoff.NextPoll(f.PollStep)))
	case s.watched(f, now):
		return setNextPoll(tx, f, now.Add(s.watchEvery))
	}
	return setNextPoll(tx, f, time.Time{})
}
