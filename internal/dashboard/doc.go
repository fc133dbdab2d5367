// Package dashboard is the operator's web view of salyq: an overview of
// every form's state, the forms with their history, notices and
// exchanges, the dead letters with replay, and live updates from
// SALYQ_STATUS. It is served under /ui/ on the intake API's listener,
// behind the same tokens, rendered on the server with html/template from
// embedded templates: no JavaScript build, a few lines of plain script
// for the live updates only.
//
// Sessions: the login page takes an API token once; the browser then
// holds a session cookie (HttpOnly, SameSite=Strict, Secure on TLS) that
// names the token's entry and an expiry, signed with a key the process
// draws at start. The raw token never goes back to the browser, and
// every request looks the entry up again, so a revoked token ends its
// sessions at once; a restart ends them all (a new key), which costs a
// login. Every state-changing request is a POST carrying a CSRF token
// derived from the session, from the same origin.
package dashboard
