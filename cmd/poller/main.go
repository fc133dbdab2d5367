// Command poller is salyq's poller service, for deployments where the
// producer, worker and poller run as separate processes against a NATS
// JetStream cluster. It takes the same flags and SALYQ_* variables as
// `salyq run`.
package main

import (
	"os"

	"github.com/salyq/salyq/internal/app"
)

func main() { os.Exit(app.Exec("poller", app.Service("poller", app.Parts{Poller: true}))) }
