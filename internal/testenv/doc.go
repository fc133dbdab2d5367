// Package testenv is what every salyq test may share: the way to the test
// material and specifications kept in the repository (testdata/ and docs/
// at the module root), the independent oracles (xmlsec1, xmllint,
// gostsum, OpenSSL with its GOST provider) that CI installs, and a
// settable clock. It imports nothing of salyq, so that the lowest pkg/
// packages can use it in their tests; helpers that need salyq's packages
// live in internal/testkit. Only tests import it.
package testenv
