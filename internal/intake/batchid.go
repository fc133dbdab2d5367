package intake

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
)

// HeaderBatch carries a batch id: sent with POST /v1/forms (or
// POST /v1/batches) it puts the forms in that batch; answered by
// POST /v1/batches with the batch's id.
const HeaderBatch = "Salyq-Batch"

// HeaderBatchName carries the caller's label of a batch (a file name).
const HeaderBatchName = "Salyq-Batch-Name"

// Batch is the batch forms are submitted in: an id and an optional
// label. The zero Batch is none.
type Batch struct {
	ID   string
	Name string
}

// NewBatchID makes a batch id from the time (Astana, to the second, so
// ids sort and read as when they came) and four random bytes from
// random: b20261207-205512-3fa9c1d2.
func NewBatchID(now time.Time, random func([]byte) (int, error)) string {
	var b [4]byte
	// crypto/rand.Read does not fail (it crashes the program first); a
	// test's reader that does leaves zeros, still an id.
	random(b[:])
	return "b" + now.In(envelope.Almaty()).Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

func (in *Intake) newBatchID() string {
	if in.cfg.BatchID != nil {
		return in.cfg.BatchID()
	}
	return NewBatchID(in.cfg.Clock(), rand.Read)
}

// batchOf reads the batch headers of r: the id, checked like a
// submission id, and the name, checked like any header salyq copies
// into views. A request without an id has no batch unless mint, then
// the intake makes one.
func (in *Intake) batchOf(r *http.Request, mint bool) (Batch, *Refusal) {
	b := Batch{ID: r.Header.Get(HeaderBatch), Name: r.Header.Get(HeaderBatchName)}
	if b.ID != "" {
		if err := streams.CheckID(b.ID); err != nil {
			return Batch{}, &Refusal{Error: "invalid batch id", Field: HeaderBatch, Reason: err.Error()}
		}
	}
	if err := streams.CheckHeader(b.Name); err != nil {
		return Batch{}, &Refusal{Error: "invalid batch name", Field: HeaderBatchName, Reason: err.Error()}
	}
	if b.ID == "" {
		if !mint {
			// A name alone makes no batch: it would label nothing.
			return Batch{}, nil
		}
		b.ID = in.newBatchID()
	}
	return b, nil
}
