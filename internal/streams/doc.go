// Package streams names and provisions everything salyq keeps in NATS
// JetStream:
//
//	SALYQ_SUBMISSIONS  salyq.submit.<taxpayer>  taxpayer-signed forms
//	                                       (intake → worker), the id in
//	                                       Salyq-Id, deduplicated by
//	                                       Nats-Msg-Id = submission id;
//	                                       limits retention, the workers
//	                                       purge what they are done with
//	SALYQ_STATUS       salyq.status.<taxpayer>  status events for ERP
//	                                       subscribers, kept StatusMaxAge;
//	                                       a sent event carries the
//	                                       receipt the poller follows
//	SALYQ_DLQ          salyq.dlq.<id>      dead letters: the original message
//	                                       with Salyq-Reason,
//	                                       Salyq-Original-Subject and
//	                                       Salyq-Attempts headers; those
//	                                       whose id is unusable on
//	                                       salyq.dlq.poison
//
// and key-value buckets: salyq_state (one record per submission: its
// latest state, read by the HTTP API and the admin CLI, and the delivery
// journal that makes sending exactly-once — the attempt in flight, its
// messageId and a lease — updated by compare-and-set), salyq_rate (the
// gateway rate limit shared by all workers), and salyq_leases (leases that
// hand work between processes).
//
// The layout is a table (layout.go). Services Provision it: what is
// missing is created, what exists is compared and, when it differs, left
// alone with a WARN unless Config.Reconfigure is set. Admin commands only
// Lookup, so that no command run with other flags changes a live layout.
//
// Every stream uses file storage. The duplicate window and the replica
// count are configuration; the JetStream sync setting is the server's
// (see package broker).
package streams
