// Package auth authenticates clients of the intake API and limits each to
// its taxpayers.
//
// A client system (an ERP) gets one named API token. The tokens file keeps
// each token only as a SHA-256 hash with its scope (all taxpayers, or a
// list of IIN/BIN) and a revoked flag; the file is re-read whenever it
// changes, so a revocation takes effect without a restart. A client
// certificate verified against --tls-client-ca authenticates too: its
// subject CN names the token entry whose scope it gets.
package auth
