package streams

// MaxDeliverWorker bounds the deliveries of one submission to the
// workers. Every nak spends a delivery, including those that spend no
// attempt: over the 72-hour give-up time a form can use ~900 for
// transient backoff (capped at 5 minutes), ~110 per nightly maintenance
// break (5-minute waits), and one per second while the gateway throttles
// it despite the shared rate limit, and a lease held by another worker
// costs one per AckWait. A planned break (--breaks) costs at most one: the
// workers stop fetching through it, and a message fetched as it began is
// handed back until its end. 10,000 leaves room for hours of throttling on
// top and still ends a loop nobody foresaw within days instead of never.
// The last DeadLetterSpare deliveries are kept for publishing the dead
// letter itself.
const MaxDeliverWorker = 10_000

// MaxDeliverPoller bounds the deliveries of one receipt to the pollers.
// Recording a receipt is one local bbolt transaction: only a broken store
// fails it, and 50 tries at one-second naks outlast a restart.
const MaxDeliverPoller = 50

// DeadLetterSpare is how many deliveries before MaxDeliver a consumer
// stops retrying and dead-letters ("max deliveries"), so that a failed
// publish of the dead letter can itself be retried before JetStream stops
// delivering the message.
const DeadLetterSpare = 5
