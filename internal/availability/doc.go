// Package availability computes the availability index of the gateway's
// services from salyq's own exchanges with them (PROTOCOL.md §6, seed 004
// §7): over an observation period T, R is the time a service was
// unavailable, and the index is (T − R) / T × 100 %.
//
// A service is unavailable from an exchange that found it so (no
// connection, no answer, HTTP 5xx, a technical fault, maintenance) until
// the next exchange with the same endpoint and service that found it
// available: any answer SONO judged, a refusal or throttling included (a
// throttled request was answered by a running service that sheds load).
// Between exchanges the last one's finding holds; after the last
// exchange of the period it holds to the period's end. Before the first
// exchange nothing is known and nothing is counted as unavailable, and a
// period without a single exchange has no index (unknown, not 100 %).
package availability
