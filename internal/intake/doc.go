// Package intake is the producer: it takes forms from files, directories,
// stdin and an HTTP API for ERP hooks, checks each (format, template window
// of its version, taxpayer signature or key), signs unsigned ones with the
// taxpayer's key, and publishes them to SALYQ_SUBMISSIONS. A caller hears
// back only after JetStream has stored the form.
//
// Many forms at once (SubmitBatch: directories, POST /v1/batches) are
// checked and signed or verified on every core and published
// asynchronously in their order, a bounded window of acknowledgements
// outstanding; each is still answered only after its PubAck, in order.
//
// The submission id is derived from the taxpayer, form code, version,
// period, kind and the field values, so the same form submitted twice is
// one submission: JetStream drops the second publish within its duplicate
// window (Nats-Msg-Id), the state bucket catches it after, and the
// worker's journal refuses to file it twice in any case. Once a finished
// submission's record has expired from the bucket (board.WithRetention),
// Config.Filed, the process's copy of SALYQ_FILED (internal/filed),
// still knows the id, and the form is answered as a duplicate again.
package intake
