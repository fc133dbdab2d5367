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
//
// Decide is the one function that turns an outcome into ack, retry after
// a delay, or dead letter.
package delivery
