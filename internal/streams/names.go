package streams

// Stream, bucket and consumer names.
const (
	Submissions = "SALYQ_SUBMISSIONS"
	Receipts    = "SALYQ_RECEIPTS"
	Status      = "SALYQ_STATUS"
	DLQ         = "SALYQ_DLQ"

	BucketState = "salyq_state"
	BucketRate  = "salyq_rate"

	ConsumerWorker = "worker"
	ConsumerPoller = "poller"
)

// Subject prefixes; a submission id is appended, but to StatusPrefix the
// taxpayer (StatusSubject).
const (
	SubmitPrefix  = "salyq.submit."
	ReceiptPrefix = "salyq.receipt."
	StatusPrefix  = "salyq.status."
	DLQPrefix     = "salyq.dlq."
)

// StatusSubject is the subject of a taxpayer's status events. Events are
// kept per taxpayer, not per submission: JetStream holds an index entry
// per subject in memory for as long as events are kept (30 days), which
// per submission would grow with every batch. ERP systems subscribe to
// their taxpayers' subjects, or to salyq.status.>, and match the id.
func StatusSubject(taxpayer string) string {
	if taxpayer == "" {
		taxpayer = "unknown"
	}
	return StatusPrefix + taxpayer
}

// Message headers.
const (
	HeaderTaxpayer = "Salyq-Taxpayer"
	HeaderForm     = "Salyq-Form"
	HeaderPeriod   = "Salyq-Period"
	HeaderKind     = "Salyq-Kind"

	HeaderReason          = "Salyq-Reason"
	HeaderCode            = "Salyq-Code"
	HeaderOriginalSubject = "Salyq-Original-Subject"
	HeaderAttempts        = "Salyq-Attempts"
)
