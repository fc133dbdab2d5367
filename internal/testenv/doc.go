// Package testenv is what every salyq test may share: the way to the
// shared specification and NCA test material beside the repository, the
// independent oracles (xmlsec1, xmllint, gostsum) that CI installs, and a
// settable clock. It imports nothing of salyq, so that the lowest pkg/
// packages can use it in their tests; helpers that need salyq's packages
// live in internal/testkit. Only tests import it.
package testenv
