// Package breaks is the schedule of the gateway's planned technological
// breaks (docs/PROTOCOL.md §6: agreed in advance, by default at night and
// on weekends and holidays), during which salyq sends nothing and spends
// no retries.
//
// A schedule is written as a comma-separated list of items, each read in
// Astana time (envelope.Almaty):
//
//	21:00-06:00              every day from 21:00 to 06:00 the next morning
//	sat                      all of every Saturday (mon … sun)
//	sat 00:00-12:00          every Saturday morning; a window may cross
//	                         midnight into the next day
//	2026-12-16               all of that date (a holiday)
//	2026-12-31 18:00-24:00   a window on that date
//
// A window is HH:MM-HH:MM; the end may be 24:00, and an end before the
// start crosses midnight. Breaks that touch or overlap are one break.
// The empty string is no breaks.
package breaks
