// Command salyq delivers tax forms (ФНО) to SONO through the e-government
// gateway: `salyq run` runs the whole pipeline, `salyq demo` shows it on
// embedded defaults, and the other subcommands administer it.
package main

import (
	"os"

	"github.com/salyq/salyq/internal/app"
)

func main() { os.Exit(app.Exec("salyq", app.Main)) }
