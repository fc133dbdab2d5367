package streams

// Stream, bucket and consumer names.
const (
	Submissions = "SALYQ_SUBMISSIONS"
	Status      = "SALYQ_STATUS"
	DLQ         = "SALYQ_DLQ"
	// Journal keeps every exchange with the gateway (internal/journal).
	Journal = "SALYQ_JOURNAL"
	// Audit records operators' actions from the dashboard
	// (internal/dashboard): who replayed which dead letters, when.
	Audit = "SALYQ_AUDIT"
	// Filed lists the id of every submission whose record reached a
	// terminal status (internal/filed): the guard against filing a form
	// twice once its record expired from BucketState.
	Filed = "SALYQ_FILED"

	BucketState = "salyq_state"
	BucketRate  = "salyq_rate"
	// BucketLeases holds leases that hand work from one process to
	// another (one key per lease, history 1, no TTL).
	BucketLeases = "salyq_leases"

	ConsumerWorker = "worker"
	ConsumerPoller = "poller"
)

// Subject prefixes. Submissions and status events are on subjects of the
// taxpayer (SubmitSubject, StatusSubject), dead letters on subjects of
// the submission id.
const (
	SubmitPrefix  = "salyq.submit."
	StatusPrefix  = "salyq.status."
	DLQPrefix     = "salyq.dlq."
	JournalPrefix = "salyq.journal."
	// AuditPrefix + the action (replay) is the subject of an audit record.
	AuditPrefix = "salyq.audit."
	FiledPrefix = "salyq.filed."
)

// FiledSubject is the one subject of SALYQ_FILED; the ids are in the
// body, one a line. One subject, not one per id: JetStream keeps an index
// entry per subject in memory, and the guard must cost disk, not memory.
const FiledSubject = FiledPrefix + "ids"

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

// JournalSubject is the subject of a taxpayer's journaled exchanges, which
// carry the submission id in HeaderID: per taxpayer for the reason given
// at SubmitSubject, all the more in a stream kept for years.
func JournalSubject(taxpayer string) string { return taxpayerSubject(JournalPrefix, taxpayer) }

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
