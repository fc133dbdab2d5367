// Package delivery is the worker: it takes signed forms off
// SALYQ_SUBMISSIONS and files each with SONO_FNO_SEND exactly once.
//
// Exactly once rests on the delivery journal (the delivery section of each
// submission's record in the salyq_state bucket, beside the board's view),
// updated by compare-and-set: before a request leaves, the attempt and its
// messageId are recorded as in flight. An attempt whose answer never came
// (a crash, a timeout, a lost connection, an answer that cannot be
// trusted) stays in flight, and the next delivery of the submission first
// asks SONO_FNO_GET_STATUS by that messageId — after the gateway's
// hand-off grace period — and resends only on a NOT_FOUND. A lease in the
// same record keeps two workers from working on one submission at once.
// Neither the lease nor the grace period compares one machine's wall
// clock with another's: the lease is bound to the delivery of the
// message (stream sequence), which JetStream's AckWait ends, and grace is
// judged on the timestamps JetStream gives the journal's revisions.
//
// Decide is the one function that turns an outcome — or a message that
// fails the boundary checks (poison), or a failure of the journal, the
// board or a publish — into ack, retry after a delay, or dead letter;
// package settle carries it out on the message.
//
// Through a planned break of the gateway (Policy.Breaks, --breaks) the
// worker fetches nothing and resumes at its end on its own (pause.go); a
// message fetched as a break begins is handed back until its end without
// spending an attempt, and break time does not count toward MaxElapsed.
package delivery
