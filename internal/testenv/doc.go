// Package testenv is what salyq's tests share: the way to the shared
// specification and NCA test material beside the repository, and the
// independent oracles (xmlsec1, xmllint, gostsum) that CI installs.
// Only tests import it.
package testenv
