package intake

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultPublishWindow is how many forms a batch keeps published but not
// yet acknowledged by JetStream unless configured: enough to keep a
// server that fsyncs every write busy, few enough that the forms held for
// their acknowledgements stay a few megabytes.
const DefaultPublishWindow = 256

// ackWait is Config.AckWait with its default.
func (in *Intake) ackWait() time.Duration {
	if in.cfg.AckWait <= 0 {
		return DefaultAckWait
	}
	return in.cfg.AckWait
}

// DefaultAckWait is how long a form of a batch waits for JetStream's
// acknowledgement after its publish before it is answered as not stored
// (retryable): the sync path's publish timeout, with room for a window
// of fsyncs ahead of it.
const DefaultAckWait = 10 * time.Second

// Item is one form handed to SubmitBatch: its bytes, or the error that
// kept them from being read, which becomes the form's answer.
type Item struct {
	// Name is the caller's name for the form (a path, a part), handed
	// back with its answer.
	Name string
	Data []byte
	Err  error
	// Batch is the batch the form goes in (the zero Batch: none).
	Batch Batch
}

// ItemResult is the answer for one Item of a batch.
type ItemResult struct {
	// Index is the item's place in the batch, from 0.
	Index  int
	Name   string
	Result Result
	Err    error
}

// batchSlot carries one item through the batch's stages.
type batchSlot struct {
	index   int
	item    Item
	size    int64
	ready   chan struct{} // closed once p and err are set by a worker
	settled chan struct{} // closed once res and err are the answer
	p       prepared
	err     error
	paf     jetstream.PubAckFuture
	sent    time.Time
	res     Result
}

// SubmitBatch submits every item: each is checked and signed or verified
// on a pool of GOMAXPROCS workers, published to JetStream asynchronously
// with at most the publish window of acknowledgements outstanding, and
// answered through fn — in the items' order, one call at a time — only
// once JetStream has stored it (its PubAck came), or with the refusal
// that kept it out. A refused form does not hold up or change the answer
// of any other; everything a single Submit writes is written for each
// form, in the same order. Forms are published in the items' order, so
// of two equal forms in a batch the first is stored and the second is
// its duplicate.
//
// It returns ctx's error if ctx ended: items already taken are answered
// (those not known to be stored with a retryable error), the rest are
// not taken from items.
func (in *Intake) SubmitBatch(ctx context.Context, items iter.Seq[Item], fn func(ItemResult)) error {
	workers := in.cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	window := in.cfg.PublishWindow
	if window <= 0 {
		window = DefaultPublishWindow
	}
	maxBytes := in.cfg.BatchBytes
	if maxBytes <= 0 {
		// As the HTTP body budget (httplimit.Limits.WithBody): a form is
		// held at several times its size while it is parsed and signed,
		// and forms of usual sizes (tens of KB) are never held back.
		maxBytes = 2 * in.cfg.MaxFormSize
	}
	// Held at once: the window plus what the workers and the publisher
	// have in hand.
	maxHeld := window + 2*workers

	jobs := make(chan *batchSlot)
	ordered := make(chan *batchSlot, maxHeld)
	answers := make(chan *batchSlot, maxHeld)
	settle := make(chan *batchSlot, maxHeld)
	freed := make(chan int64, maxHeld)
	pubWindow := make(chan struct{}, window)

	for range workers {
		go func() {
			for s := range jobs {
				// Bounded like the wait for a PubAck: a lookup sent while
				// NATS reconnects must answer its form (retryably), not
				// hold the batch until the caller gives up.
				pctx, cancel := context.WithTimeout(ctx, in.ackWait())
				s.p, s.err = in.prepare(pctx, s.item.Batch, s.item.Data)
				cancel()
				close(s.ready)
			}
		}()
	}
	// Settlers wait for acknowledgements and write the board's views (a
	// few round trips and fsyncs each) side by side: one at a time, they
	// would undo the pipelined publishes.
	for range min(window, settlers) {
		go func() {
			for s := range settle {
				in.answer(ctx, s)
				close(s.settled)
			}
		}()
	}
	go func() {
		in.publishBatch(ctx, ordered, answers, settle, pubWindow)
		close(settle)
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for s := range answers {
			<-s.settled
			fn(ItemResult{Index: s.index, Name: s.item.Name, Result: s.res, Err: s.err})
			if s.paf != nil {
				// The window closes behind the answer, not the ack: the
				// caller's answers (an HTTP body, a listing) pace the
				// publishes, and what waits to be answered stays bounded.
				<-pubWindow
			}
			freed <- s.size
		}
	}()

	var held int
	var heldBytes int64
	index := 0
	for it := range items {
		size := int64(len(it.Data))
		for held > 0 && (held >= maxHeld || heldBytes+size > maxBytes) && ctx.Err() == nil {
			select {
			case n := <-freed:
				held--
				heldBytes -= n
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		s := &batchSlot{index: index, item: it, size: size, ready: make(chan struct{}), settled: make(chan struct{})}
		index++
		held++
		heldBytes += size
		ordered <- s
		if it.Err != nil {
			close(s.ready)
			continue
		}
		jobs <- s
	}
	close(jobs)
	close(ordered)
	<-done
	return ctx.Err()
}

// publishBatch publishes the prepared forms in the items' order and hands
// every slot on to be answered, in the same order.
// settlers is how many forms of a batch wait for their acknowledgement
// and write their view at once.
const settlers = 64

// publishBatch publishes the prepared forms in the items' order and hands
// every slot on to be answered in the same order; a published one also
// goes to the settlers.
func (in *Intake) publishBatch(ctx context.Context, ordered <-chan *batchSlot, answers, settle chan<- *batchSlot, pubWindow chan struct{}) {
	defer close(answers)
	for s := range ordered {
		<-s.ready
		answers <- s
		if s.item.Err == nil && s.err == nil && s.p.msg != nil {
			select {
			case pubWindow <- struct{}{}:
				paf, err := in.cfg.JS.PublishMsgAsync(s.p.msg)
				if err == nil {
					s.paf, s.sent = paf, time.Now()
					settle <- s
					continue
				}
				<-pubWindow
				s.err = in.publishError(s.p, err)
			case <-ctx.Done():
				s.err = fmt.Errorf("%w: %w", ErrPublish, ctx.Err())
			}
		}
		in.answer(ctx, s)
		close(s.settled)
	}
}

// answer settles one slot: a refusal as it is, a published form once
// its acknowledgement (or error) came, with the board's queued view
// written as Submit writes it.
func (in *Intake) answer(ctx context.Context, s *batchSlot) {
	if s.item.Err != nil {
		s.err = s.item.Err
		return
	}
	defer func() { in.observe(s.res, s.err) }()
	if s.err != nil || s.paf == nil {
		s.res = s.p.res
		return
	}
	t := time.NewTimer(time.Until(s.sent.Add(in.ackWait())))
	defer t.Stop()
	select {
	case ack := <-s.paf.Ok():
		s.res = in.stored(ctx, s.p, ack.Duplicate)
	case err := <-s.paf.Err():
		s.err = in.publishError(s.p, err)
	case <-t.C:
		s.err = fmt.Errorf("%w: no acknowledgement within %s", ErrPublish, in.ackWait())
	case <-ctx.Done():
		s.err = fmt.Errorf("%w: %w", ErrPublish, ctx.Err())
	}
	// The form is held no longer than its answer.
	s.p.msg, s.item.Data = nil, nil
}
