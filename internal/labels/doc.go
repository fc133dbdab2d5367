// Package labels names the lifecycle's statuses in Russian and Kazakh:
// one table for the dashboard and the accountant's reports.
package labels
