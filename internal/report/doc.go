// Package report makes the accountant's reports of a batch — per form
// the taxpayer, the form, when it was submitted and filed, SONO's
// registration number, the final status in Russian and Kazakh and the
// reason, with totals per status — as CSV, XLSX or a printable HTML
// page, and sums batches up for the dashboard. It reads the board's
// views only.
package report
