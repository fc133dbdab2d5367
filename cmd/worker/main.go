// Command worker is salyq's worker service, for deployments where the
// producer, worker and poller run as separate processes against a NATS
// JetStream cluster. It takes the same flags and SALYQ_* variables as
// `salyq run`.
package main

import (
	"os"

	"github.com/salyq/salyq/internal/app"
)

func main() { os.Exit(app.Exec("worker", app.Service("worker", app.Parts{Worker: true}))) }
