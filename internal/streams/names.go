package streams

// Stream, bucket and consumer names.
const (
	Submissions = "SALYQ_SUBMISSIONS"
	Receipts    = "SALYQ_RECEIPTS"
	Status      = "SALYQ_STATUS"
	DLQ         = "SALYQ_DLQ"

	BucketState  = "salyq_state"
	BucketRate   = "salyq_rate"
	BucketLeases = "salyq_leases"

	ConsumerWorker = "worker"
	ConsumerPoller = "poller"
)

// Subject prefixes. Submissions and status events are on subjects of the
// taxpayer (SubmitSubject, StatusSubject), receipts and dead letters on
// subjects of the submission id.
const (
	SubmitPrefix  = "salyq.submit."
	ReceiptPrefix = "salyq.receipt."
	StatusPrefix  = "salyq.status."
	DLQPrefix     = "salyq.dlq."
)

// SubmitSubject is the subject of a taxpayer's submissions; the id is in
// HeaderID. StatusSubject is the subject of a taxpayer's status events,
// which carry the id. Both are per taxpayer, not per submission, because
// JetStream keeps an index entry per subject in memory for as long as a
// stream holds messages on it: per submission, a queued batch and a month
// of status events would grow the server's memory with every form. ERP
// systems subscribe to their taxpayers' status subjects, or to
// salyq.status.>, and match the id.
func SubmitSubject(taxpayer string) string { return taxpayerSubject(SubmitPrefix, taxpayer) }

// StatusSubject is the subject of a taxpayer's status events (see
// SubmitSubject).
func StatusSubject(taxpayer string) string { return taxpayerSubject(StatusPrefix, taxpayer) }

// taxpayerSubject appends taxpayer to prefix as one subject token.
func taxpayerSubject(prefix, taxpayer string) string {
	if taxpayer == "" {
		taxpayer = "unknown"
	}
	return prefix + taxpayer
}

// Message headers.
const (
	HeaderID       = "Salyq-Id"
	HeaderTaxpayer = "Salyq-Taxpayer"
	HeaderForm     = "Salyq-Form"
	HeaderPeriod   = "Salyq-Period"
	HeaderKind     = "Salyq-Kind"

	HeaderReason          = "Salyq-Reason"
	HeaderCode            = "Salyq-Code"
	HeaderOriginalSubject = "Salyq-Original-Subject"
	HeaderAttempts        = "Salyq-Attempts"
)
