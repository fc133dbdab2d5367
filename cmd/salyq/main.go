// Command salyq delivers tax forms (ФНО) to SONO through the e-government
// gateway: `salyq run` runs the whole pipeline, `salyq demo` shows it on
// embedded defaults, and the other subcommands administer it. Unlike the
// service binaries it links the in-process sandbox gateway.
package main

import (
	"os"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/app/sandbox"
)

func main() { os.Exit(app.Exec("salyq", app.CLI{Sandbox: sandbox.Open}.Main)) }
