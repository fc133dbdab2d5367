// Package settle is the one place that settles JetStream messages: every
// Ack, Nak and Term of a submission or a receipt goes through
// Settler.Settle, driven by the Action the consumer decided on.
//
// A dead letter is published to SALYQ_DLQ before the message is
// terminated, never the other way round: if the publish fails the message
// is naked and comes back. A Retry on the message's last allowed delivery
// becomes a dead letter with reason "max deliveries", so no message is
// left behind in a work queue once JetStream stops delivering it.
package settle
