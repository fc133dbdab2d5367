// Package filed is the guard that keeps a form from being filed twice
// once its record expired from the salyq_state bucket.
//
// Records of finished submissions expire after the retention
// (board.WithRetention) because JetStream keeps an index entry of about
// 100 bytes per key in memory for as long as the key exists: a million
// finished forms would otherwise cost the server 100 MB for good. Before
// the board writes a terminal record, and so before that record can
// expire, it appends the id to SALYQ_FILED (Record): one subject, the id
// in the body, no age limit. A stream on one subject costs JetStream no
// memory per message, only disk (about 100 bytes per id).
//
// The intake asks an Index before it queues a form the board does not
// know. An Index is a bbolt file beside the process (--data) that follows
// SALYQ_FILED: every id it holds is a key on disk (the page cache, not
// the heap, holds the hot part), and the stream sequence it has read up
// to is kept in the same transaction, so a restart continues where it
// stopped and a lost file is rebuilt from the stream. It answers only
// once it has caught up with the stream as it was when it opened; later
// ids arrive within milliseconds, and an id it needs was appended a whole
// retention (days) before the record it stands for expired.
//
// Why not the alternatives: one key per id in a bucket or one subject per
// id costs JetStream the same memory as the records; the poller's bbolt
// store knows every form it followed, but it lives on the poller's
// machine, each poller of several has its own, and one rebuilt from the
// board after a disk loss would have forgotten exactly the expired
// forms; the exchange journal names every form sent, but its publishes
// are best effort by design, and reading it per taxpayer at every intake
// would cost a consumer and a scan per form at quarter-end.
package filed
