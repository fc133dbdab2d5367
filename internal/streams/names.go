package streams

// Stream, bucket and consumer names.
const (
	Submissions = "SALYQ_SUBMISSIONS"
	Receipts    = "SALYQ_RECEIPTS"
	Status      = "SALYQ_STATUS"
	DLQ         = "SALYQ_DLQ"

	BucketDelivery = "salyq_delivery"
	BucketState    = "salyq_state"
	BucketRate     = "salyq_rate"

	ConsumerWorker = "worker"
	ConsumerPoller = "poller"
)

// Subject prefixes; a submission id is appended.
const (
	SubmitPrefix  = "salyq.submit."
	ReceiptPrefix = "salyq.receipt."
	StatusPrefix  = "salyq.status."
	DLQPrefix     = "salyq.dlq."
)

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
