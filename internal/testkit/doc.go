// Package testkit holds test helpers of the internal packages that need
// salyq's own packages (forms, JetStream): kept apart from testenv, which
// the low-level pkg/ tests import and which must therefore import nothing
// of salyq.
package testkit
