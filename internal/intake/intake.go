package intake

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/statusfsm"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// Config configures an Intake.
type Config struct {
	JS        jetstream.JetStream
	Board     *board.Board
	Keys      ncakey.Candidates
	Templates *envelope.Templates
	// CheckKey, when set, refuses a signer's certificate (chain,
	// revocation) before a form is signed or accepted.
	CheckKey ncakey.CertCheck
	// AllowTestIdentities accepts NCA's test IIN/BIN (test environment).
	AllowTestIdentities bool
	Clock               func() time.Time
	// Metrics counts forms received and refused; nil: nobody.
	Metrics Metrics
	// MaxFormSize refuses larger forms on every path; 0:
	// DefaultMaxFormSize.
	MaxFormSize int64
	// Workers is how many forms of a batch are checked and signed or
	// verified at once; 0: GOMAXPROCS.
	Workers int
	// PublishWindow is how many forms of a batch may be published and
	// not yet answered; 0: DefaultPublishWindow.
	PublishWindow int
	// BatchBytes bounds the bytes of forms a batch holds at once (being
	// checked, signed, or waiting for their acknowledgement; one form is
	// always admitted); 0: twice MaxFormSize.
	BatchBytes int64
	// AckWait is how long a form of a batch waits for its PubAck; 0:
	// DefaultAckWait.
	AckWait time.Duration
	// MaxBatchForms is the most forms one API batch may carry; 0:
	// DefaultMaxBatchForms.
	MaxBatchForms int
	// MaxBatchSize is the largest API batch body; 0:
	// DefaultMaxBatchSize.
	MaxBatchSize int64
	// Filed, when set, knows the forms filed before whose records have
	// expired from the board (a *filed.Index); nil: only the board is
	// asked, right when records never expire.
	Filed Guard
	// BatchID makes the id of a batch that came without one; nil:
	// NewBatchID with the Clock and crypto/rand.
	BatchID func() string
}

// Guard tells whether a submission was filed, after its board record
// expired (internal/filed).
type Guard interface {
	Filed(ctx context.Context, id string) (bool, error)
}

// Intake validates, signs and enqueues forms. It is safe for concurrent
// use.
type Intake struct {
	cfg Config
}

// New returns an intake.
func New(cfg Config) *Intake {
	if cfg.MaxFormSize <= 0 {
		cfg.MaxFormSize = DefaultMaxFormSize
	}
	return &Intake{cfg: cfg}
}

// MaxFormSize is the largest form the intake accepts.
func (in *Intake) MaxFormSize() int64 { return in.cfg.MaxFormSize }

// Result is an accepted submission.
type Result struct {
	ID        string `json:"id"`
	Duplicate bool   `json:"duplicate"`
	Taxpayer  string `json:"taxpayer"`
	Form      string `json:"form"`
	Period    string `json:"period"`
	Kind      string `json:"kind"`
	// Batch is the batch this call put the form in; empty for a
	// duplicate, which stays in the batch it first came in.
	Batch string `json:"batch,omitempty"`
}

// KeyCheckError is a signer certificate refused by the chain or
// revocation check.
type KeyCheckError struct{ Err error }

func (e *KeyCheckError) Error() string { return "taxpayer certificate refused: " + e.Err.Error() }

// Unwrap returns the certcheck error.
func (e *KeyCheckError) Unwrap() error { return e.Err }

func (in *Intake) checkKey(ctx context.Context, cert *x509.Certificate, at time.Time) error {
	if in.cfg.CheckKey == nil {
		return nil
	}
	if err := in.cfg.CheckKey(ctx, cert, at); err != nil {
		return &KeyCheckError{Err: err}
	}
	return nil
}

// signingKey returns the taxpayer's best key that passes CheckKey, or the
// refusal of the best key if none does.
func (in *Intake) signingKey(ctx context.Context, taxpayer string, at time.Time) (*ncakey.Key, error) {
	key, err := ncakey.Choose(ctx, in.cfg.Keys, in.cfg.CheckKey, taxpayer, at)
	var refused *ncakey.RefusedError
	if errors.As(err, &refused) {
		return nil, &KeyCheckError{Err: refused.Err}
	}
	return key, err
}

// Submit checks, signs (unless signed already) and enqueues one form. It
// returns only once JetStream has stored it. A refused form comes back as
// an error naming the field or check (envelope.FieldError,
// envelope.KeyError, xmldsig.CheckError) and nothing is enqueued.
func (in *Intake) Submit(ctx context.Context, data []byte) (Result, error) {
	return in.SubmitTo(ctx, Batch{}, data)
}

// SubmitTo is Submit of a form of batch b (the zero Batch: none).
func (in *Intake) SubmitTo(ctx context.Context, b Batch, data []byte) (Result, error) {
	res, err := in.submit(ctx, b, data)
	in.observe(res, err)
	return res, err
}

func (in *Intake) submit(ctx context.Context, b Batch, data []byte) (Result, error) {
	p, err := in.prepare(ctx, b, data)
	if err != nil || p.msg == nil {
		return p.res, err
	}
	ack, err := in.cfg.JS.PublishMsg(ctx, p.msg)
	if err != nil {
		return Result{}, in.publishError(p, err)
	}
	return in.stored(ctx, p, ack.Duplicate), nil
}

// prepared is a form checked and signed, ready to publish: msg is nil
// when it needs no publish (known to the board already).
type prepared struct {
	res   Result
	msg   *nats.Msg
	now   time.Time
	batch Batch
	name  string // the taxpayer's name on the form
}

// prepare does everything before the publish: parse, scope, template,
// sign or verify, id, and the board's duplicate check.
func (in *Intake) prepare(ctx context.Context, b Batch, data []byte) (prepared, error) {
	if int64(len(data)) > in.cfg.MaxFormSize {
		return prepared{}, &TooLargeError{Size: int64(len(data)), Max: in.cfg.MaxFormSize}
	}
	now := in.cfg.Clock()
	f, err := envelope.ParseForm(data, envelope.FormOptions{AllowTestIdentities: in.cfg.AllowTestIdentities})
	if err != nil {
		return prepared{}, err
	}
	// The scope is checked before anything else is done with the form:
	// a client outside it learns nothing (not even whether it was filed).
	if err := auth.CheckScope(ctx, f.Taxpayer); err != nil {
		return prepared{}, err
	}
	if err := in.cfg.Templates.Check(f); err != nil {
		return prepared{}, err
	}
	var signed []byte
	if len(xmldsig.FindSignatures(f.Element())) > 0 {
		// Signed by the ERP already: check it, send it as it is.
		sf, err := f.Verify(envelope.VerifyOptions{Now: now, AllowTestIdentities: in.cfg.AllowTestIdentities})
		if err != nil {
			return prepared{}, err
		}
		if err := in.checkKey(ctx, sf.Certificate, now); err != nil {
			return prepared{}, err
		}
		signed = data
	} else {
		key, err := in.signingKey(ctx, f.Taxpayer, now)
		if err != nil {
			return prepared{}, err
		}
		if signed, err = envelope.SignForm(ctx, f, key.Signer(), envelope.SignOptions{Now: now, AllowTestIdentities: in.cfg.AllowTestIdentities}); err != nil {
			return prepared{}, err
		}
	}
	res := Result{ID: SubmissionID(f), Taxpayer: f.Taxpayer, Form: f.Code, Period: f.Period.String(), Kind: string(f.Kind)}
	if _, err := in.cfg.Board.Get(ctx, res.ID); err == nil {
		// Known already (past JetStream's duplicate window too).
		res.Duplicate = true
		return prepared{res: res}, nil
	}
	if in.cfg.Filed != nil {
		// Finished long ago: its record expired, the id stays filed.
		known, err := in.cfg.Filed.Filed(ctx, res.ID)
		if err != nil {
			return prepared{}, fmt.Errorf("%w: %w", ErrPublish, err)
		}
		if known {
			res.Duplicate = true
			return prepared{res: res}, nil
		}
	}
	m := nats.NewMsg(streams.SubmitSubject(res.Taxpayer))
	m.Data = signed
	m.Header.Set(jetstream.MsgIDHeader, res.ID)
	m.Header.Set(streams.HeaderID, res.ID)
	m.Header.Set(streams.HeaderTaxpayer, res.Taxpayer)
	m.Header.Set(streams.HeaderForm, res.Form)
	m.Header.Set(streams.HeaderPeriod, res.Period)
	m.Header.Set(streams.HeaderKind, res.Kind)
	return prepared{res: res, msg: m, now: now, batch: b, name: f.PayerName()}, nil
}

// publishError is the refusal of a form JetStream did not store.
func (in *Intake) publishError(p prepared, err error) error {
	if errors.Is(err, nats.ErrMaxPayload) {
		// Only a server whose max_payload shrank since start: the form
		// is refused for good, not "try again".
		return &TooLargeError{Size: int64(len(p.msg.Data)), Max: in.cfg.MaxFormSize}
	}
	return fmt.Errorf("%w: %w", ErrPublish, err)
}

// stored completes a form JetStream has stored (its PubAck came): the
// board's queued view is written after the publish, never before, so
// that a view always names a stored form.
func (in *Intake) stored(ctx context.Context, p prepared, duplicate bool) Result {
	res := p.res
	res.Duplicate = duplicate
	if !duplicate {
		res.Batch = p.batch.ID
		v := board.View{ID: res.ID, Taxpayer: res.Taxpayer, Form: res.Form, Period: res.Period, Kind: res.Kind, Status: statusfsm.StateQueued, Updated: p.now,
			Batch: p.batch.ID, BatchName: p.batch.Name, Name: p.name, Submitted: p.now}
		// Create, not put: a fast worker may have moved it on already.
		// An error leaves the form stored; the view catches up.
		_ = in.cfg.Board.Create(ctx, v, &board.Event{ID: res.ID, To: statusfsm.StateQueued, At: p.now})
	}
	return res
}
