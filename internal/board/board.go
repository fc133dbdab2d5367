package board

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// View is what the API and the CLI show of a submission.
type View struct {
	ID       string `json:"id"`
	Taxpayer string `json:"taxpayer,omitempty"`
	Form     string `json:"form,omitempty"`
	Period   string `json:"period,omitempty"`
	Kind     string `json:"kind,omitempty"`
	// Status is the form's state in the one lifecycle vocabulary: a
	// product state (queued, sending, sent, failed-delivery) or the SONO
	// status verbatim.
	Status    statusfsm.Status `json:"status"`
	Terminal  bool             `json:"terminal"`
	Outcome   string           `json:"outcome,omitempty"`
	RequestID string           `json:"requestId,omitempty"`
	Reason    string           `json:"reason,omitempty"`
	Flagged   bool             `json:"flagged,omitempty"`
	Updated   time.Time        `json:"updated"`
	// Seq orders the poller's views (the statusfsm history sequence), so
	// a slow writer cannot put an older status back.
	Seq uint64 `json:"seq,omitempty"`
	// SonoAt is SONO's time of the newest SONO status applied: a poller
	// rebuilding its store from the board takes SONO's history up to it
	// as known.
	SonoAt time.Time `json:"sonoAt,omitzero"`
	// Notices are the tax office's notices about the form, in the order
	// the poller first saw them.
	Notices []Notice `json:"notices,omitempty"`
	// Delayed is set once the form has waited 24 hours without SONO
	// accepting it (internal/delays); the next view written once it is
	// accepted has none.
	Delayed *Delay `json:"delayed,omitempty"`

	// The intake's fields, written once with the queued view and carried
	// over by every later writer (see Carry): the worker and the poller
	// build their views from the message and the store, which do not
	// have them.

	// Batch is the id of the batch the form came in (a POST /v1/batches
	// call, or the id a client sent with each form); empty: no batch.
	Batch string `json:"batch,omitempty"`
	// BatchName is the caller's label of the batch (a file name).
	BatchName string `json:"batchName,omitempty"`
	// Name is the taxpayer's name as the form gives it (910.00:
	// payer_name1..3, surname first).
	Name string `json:"name,omitempty"`
	// Submitted is when the intake took the form.
	Submitted time.Time `json:"submitted,omitzero"`
	// Filed is when SONO took the form: the worker's sent moment.
	Filed time.Time `json:"filed,omitzero"`
	// Registration is SONO's registration number of the form, once it
	// gave one (registrationNumber of the status answer).
	Registration string `json:"registration,omitempty"`
}

// Carry keeps on v what old has and v lacks of the fields that only one
// writer knows (the intake's batch and name, the worker's filing time,
// the poller's registration number), so that a writer replacing the
// view does not erase them.
func (v *View) Carry(old *View) {
	if old == nil {
		return
	}
	if v.Batch == "" && v.BatchName == "" {
		v.Batch, v.BatchName = old.Batch, old.BatchName
	}
	if v.Name == "" {
		v.Name = old.Name
	}
	if v.Submitted.IsZero() {
		v.Submitted = old.Submitted
	}
	if v.Filed.IsZero() {
		v.Filed = old.Filed
	}
	if v.Registration == "" {
		v.Registration = old.Registration
	}
}

// Delay is why a form SONO has not accepted is waiting, and since when
// (its submission, in Astana time).
type Delay struct {
	Since time.Time `json:"since"`
	// Cause is a stable key (internal/delays: unavailable, maintenance,
	// throttled, key, not-served, planned-break, unknown) and Reason says
	// it in words, with the last attempt's outcome.
	Cause  string `json:"cause"`
	Reason string `json:"reason,omitempty"`
}

// Notice is a notice the tax office issued about a submission (SONO's
// notification): its number, type, date in Astana time and text.
type Notice struct {
	Number string    `json:"number"`
	Type   string    `json:"type"`
	At     time.Time `json:"at"`
	Text   string    `json:"text,omitempty"`
}

// NoticeOf is n as the board shows it: dated in Astana time (+05:00),
// the time the taxpayer reads the tax office's papers in.
func NoticeOf(n statusfsm.Notice) Notice {
	return Notice{Number: n.Number, Type: n.Type, At: n.At.In(envelope.Almaty()), Text: n.Text}
}

// EventNotice is the Kind of an event that brings a notice.
const EventNotice = "notice"

// EventDelayed is the Kind of the event told once a form has waited 24
// hours without SONO accepting it; the delay is in Delay, To is the
// status it waits in.
const EventDelayed = "delayed"

// Event is one status change on SALYQ_STATUS, published on the subject
// of the submission's taxpayer (streams.StatusSubject).
//
// An event may be delivered more than once (the poller publishes at least
// once, and a poller that took over may repeat one). Seq, when not zero,
// is the statusfsm history sequence of the change: a subscriber keeps the
// highest Seq it has seen per submission and drops events at or below it.
// Events of the intake and the worker (queued, sent, failed-delivery)
// carry no Seq.
//
// Kind tells the events apart: empty for a status change (From → To),
// EventNotice for a notice of the tax office, which is in Notice; To is
// then the status the form had when the notice came, and nothing moved.
//
// A poller's event may bring several status changes of one poll, oldest
// first, in Steps: From is then the first one's, To, At, Message and Seq
// the last one's, and Flagged says whether any was flagged. History
// returns one event per change either way.
//
// The worker's event of a filing (To sent) carries its Receipt: the
// poller follows the form from it (a durable consumer on this stream), so
// a filing costs no message on a work queue of its own, nor the tombstone
// its acknowledgement would write.
type Event struct {
	ID       string           `json:"id"`
	Taxpayer string           `json:"taxpayer,omitempty"`
	From     statusfsm.Status `json:"from,omitempty"`
	To       statusfsm.Status `json:"to"`
	At       time.Time        `json:"at"`
	Message  string           `json:"message,omitempty"`
	Flagged  bool             `json:"flagged,omitempty"`
	Seq      uint64           `json:"seq,omitempty"`
	Kind     string           `json:"kind,omitempty"`
	Notice   *Notice          `json:"notice,omitempty"`
	Delay    *Delay           `json:"delay,omitempty"`
	Steps    []Step           `json:"steps,omitempty"`
	Receipt  *streams.Receipt `json:"receipt,omitempty"`
}

// Step is one status change of an event that brings several.
type Step struct {
	To      statusfsm.Status `json:"to"`
	At      time.Time        `json:"at"`
	Message string           `json:"message,omitempty"`
	Flagged bool             `json:"flagged,omitempty"`
	Seq     uint64           `json:"seq,omitempty"`
}

// Changes is ev as one event per status change: ev itself, or, when it
// brings several, an event for each of its Steps.
func (ev Event) Changes() []Event {
	if len(ev.Steps) == 0 {
		return []Event{ev}
	}
	out := make([]Event, 0, len(ev.Steps))
	from := ev.From
	for _, s := range ev.Steps {
		out = append(out, Event{ID: ev.ID, Taxpayer: ev.Taxpayer, From: from, To: s.To, At: s.At, Message: s.Message, Flagged: s.Flagged, Seq: s.Seq})
		from = s.To
	}
	return out
}

// Record is what the salyq_state bucket holds under a submission's id: the
// view every process reads, and the delivery journal's section, which the
// board keeps as it is (package delivery owns its content). One key per
// submission, not one per concern: JetStream keeps an index entry per key
// in memory for as long as the key exists.
type Record struct {
	View     *View           `json:"view,omitempty"`
	Delivery json.RawMessage `json:"delivery,omitempty"`
	// Delays is the delay watch's section (internal/delays owns it): the
	// durable marks that it journaled and told a delay once.
	Delays json.RawMessage `json:"delays,omitempty"`
}

// Board writes and reads submission records.
type Board struct {
	js jetstream.JetStream
	kv jetstream.KeyValue
	// retention is how long a finished submission's record stays after
	// its last write; 0 keeps it for good.
	retention time.Duration
}

// New returns a board on a provisioned layout.
func New(js jetstream.JetStream, set *streams.Set, opts ...Option) *Board {
	b := &Board{js: js, kv: set.State}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Load returns the record of id and its revision; an id never written has
// an empty record and revision 0.
func (b *Board) Load(ctx context.Context, id string) (Record, uint64, error) {
	r, rev, _, err := b.LoadStamped(ctx, id)
	return r, rev, err
}

// Store writes r if the stored revision is still rev (0: no record yet)
// and returns the new revision; ErrConflict if another writer came first.
func (b *Board) Store(ctx context.Context, id string, r Record, rev uint64) (uint64, error) {
	if err := streams.CheckID(id); err != nil {
		return 0, fmt.Errorf("board: %w", err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		return 0, err
	}
	if b.retention > 0 && r.View.expires() {
		return b.storeFinished(ctx, id, data, rev)
	}
	var n uint64
	if rev == 0 {
		n, err = b.kv.Create(ctx, id, data)
	} else {
		n, err = b.kv.Update(ctx, id, data, rev)
	}
	return n, storeErr(id, err)
}

// storeErr is err of a write of id, ErrConflict where the revision had
// moved on.
func storeErr(id string, err error) error {
	var apiErr *jetstream.APIError
	if errors.Is(err, jetstream.ErrKeyExists) || (errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence) {
		return fmt.Errorf("board: %s: %w", id, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("board: %s: %w", id, err)
	}
	return nil
}

// Update applies change to the record of id by compare-and-set until it
// sticks; change reports whether there is anything to write.
func (b *Board) Update(ctx context.Context, id string, change func(*Record) bool) error {
	return b.update(ctx, id, change)
}

func (b *Board) update(ctx context.Context, id string, change func(*Record) bool) error {
	for {
		r, rev, err := b.Load(ctx, id)
		if err != nil {
			return err
		}
		if !change(&r) {
			return nil
		}
		if _, err = b.Store(ctx, id, r, rev); !errors.Is(err, ErrConflict) {
			return err
		}
	}
}

// Set records v as the submission's view and publishes ev, if not nil.
// The event id makes republishing the same change harmless.
func (b *Board) Set(ctx context.Context, v View, ev *Event) error {
	err := b.update(ctx, v.ID, func(r *Record) bool {
		nv := v
		nv.Carry(r.View)
		r.View = &nv
		return true
	})
	if err != nil {
		return err
	}
	return b.Publish(ctx, v.Taxpayer, ev)
}

// Create is Set for a submission the board has no view of yet. A fast
// worker may have journaled the submission already: the view goes beside
// its record; if the worker wrote a view first, that view stays and only
// takes v's intake fields it lacks (batch, name, submitted), without an
// event.
func (b *Board) Create(ctx context.Context, v View, ev *Event) error {
	// Mostly there is no record yet: create it without reading first.
	_, err := b.Store(ctx, v.ID, Record{View: &v}, 0)
	if err == nil {
		return b.Publish(ctx, v.Taxpayer, ev)
	}
	if !errors.Is(err, ErrConflict) {
		return err
	}
	created := false
	err = b.update(ctx, v.ID, func(r *Record) bool {
		created = r.View == nil
		if created {
			r.View = &v
			return true
		}
		old := *r.View
		r.View.Carry(&v)
		return old.Batch != r.View.Batch || old.Name != r.View.Name || !old.Submitted.Equal(r.View.Submitted)
	})
	if err != nil || !created {
		return err
	}
	return b.Publish(ctx, v.Taxpayer, ev)
}

// Publish puts ev, if not nil, on the status stream under the subject of
// taxpayer.
func (b *Board) Publish(ctx context.Context, taxpayer string, ev *Event) error {
	if ev == nil {
		return nil
	}
	ev.Taxpayer = taxpayer
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	msg := &nats.Msg{Subject: streams.StatusSubject(taxpayer), Data: data, Header: nats.Header{}}
	id := fmt.Sprintf("%s:%s:%d", ev.ID, ev.To, ev.At.UnixNano())
	switch {
	case ev.Notice != nil:
		// A notice may come at the time of a status change: its number
		// identifies it.
		id = ev.ID + ":notice:" + ev.Notice.Number
	case ev.Kind == EventDelayed:
		// Told once per form: a repeat is dropped within the window.
		id = ev.ID + ":delayed"
	}
	msg.Header.Set(jetstream.MsgIDHeader, id)
	if _, err := b.js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("board: event %s: %w", ev.ID, err)
	}
	return nil
}

// Advance publishes evs, then records v unless the board already holds a
// view with the same or a higher Seq. Pollers of one form can overlap (a
// slow publish and the next poll); compare-and-set keeps the newest. The
// events go first so that a status on the board implies its event is
// stored: a poller that rebuilds its store from the board cannot miss
// one. On an error the caller repeats the whole call; repeats are
// harmless.
func (b *Board) Advance(ctx context.Context, v View, evs []*Event) error {
	for _, ev := range evs {
		if err := b.Publish(ctx, v.Taxpayer, ev); err != nil {
			return err
		}
	}
	return b.update(ctx, v.ID, func(r *Record) bool {
		if r.View != nil && r.View.Seq >= v.Seq {
			return false
		}
		nv := v
		nv.Carry(r.View)
		r.View = &nv
		return true
	})
}

// Views calls fn with the view of every submission that has one, in no
// particular order, and stops at fn's first error. It reads the bucket
// with one watch up to its initial-values marker, not a lookup per key,
// so rebuilding from tens of thousands of records takes one pass.
func (b *Board) Views(ctx context.Context, fn func(View) error) error {
	return b.Records(ctx, func(r Record) error { return fn(*r.View) })
}

// Records is Views with the whole record of every submission that has a
// view: Follow until the records that existed at the start are given.
func (b *Board) Records(ctx context.Context, fn func(Record) error) error {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var ferr error
	done := false
	err := b.Follow(rctx, func(_ string, r *Record) {
		if done || ferr != nil || r == nil || r.View == nil {
			return // after the start's records, or not a submission the board can show
		}
		if ferr = fn(*r); ferr != nil {
			cancel()
		}
	}, func() { done = true; cancel() })
	switch {
	case ferr != nil:
		return ferr
	case done:
		return nil
	case err != nil:
		return err
	default:
		return ctx.Err()
	}
}

// Follow calls fn with the record of every submission, then with every
// change of one, until ctx ends (nil) or the watch ends by itself
// (ErrWatchClosed): fn(id, nil) for a record deleted or purged. ready is
// called once, when the records that existed at the start are all given.
func (b *Board) Follow(ctx context.Context, fn func(id string, r *Record), ready func()) error {
	w, err := b.kv.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("board: follow: %w", err)
	}
	defer w.Stop()
	for {
		var e jetstream.KeyValueEntry
		select {
		case <-ctx.Done():
			return nil
		case got, ok := <-w.Updates():
			if !ok {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("board: follow: %w", ErrWatchClosed)
			}
			e = got
		}
		if e == nil {
			ready()
			continue
		}
		var r Record
		if e.Operation() != jetstream.KeyValuePut || json.Unmarshal(e.Value(), &r) != nil {
			fn(e.Key(), nil)
			continue
		}
		fn(e.Key(), &r)
	}
}

// Get returns the view of one submission.
func (b *Board) Get(ctx context.Context, id string) (View, error) {
	r, _, err := b.Load(ctx, id)
	if err != nil {
		return View{}, err
	}
	if r.View == nil {
		return View{}, fmt.Errorf("board: %s: %w", id, ErrNotFound)
	}
	return *r.View, nil
}

// All returns every view, read as Views reads them: one watch, not a
// lookup per key.
func (b *Board) All(ctx context.Context) ([]View, error) {
	var out []View
	err := b.Views(ctx, func(v View) error {
		out = append(out, v)
		return nil
	})
	return out, err
}

// History returns the status events of a submission, oldest first, one
// per change (Event.Changes) and each change of the poller's store once
// (by Seq: a poller may publish a change again, alone or among others),
// or none if the board does not know it. Events are kept per taxpayer, who
// files a handful of forms a quarter, so reading the taxpayer's subject
// and keeping the submission's events is cheap.
func (b *Board) History(ctx context.Context, id string) ([]Event, error) {
	v, err := b.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Event
	seen := map[uint64]bool{}
	err = streams.Scan(ctx, b.js, streams.Status, jetstream.ConsumerConfig{FilterSubject: streams.StatusSubject(v.Taxpayer)},
		func(m jetstream.Msg) (bool, error) {
			var ev Event
			if json.Unmarshal(m.Data(), &ev) != nil || ev.ID != id {
				return true, nil
			}
			for _, c := range ev.Changes() {
				if c.Seq == 0 || !seen[c.Seq] {
					seen[c.Seq] = true
					out = append(out, c)
				}
			}
			return true, nil
		})
	if err != nil {
		return out, fmt.Errorf("board: history of %s: %w", id, err)
	}
	return out, nil
}
