package app

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// FlagTable is the Markdown table of cmd's flags — flag, variable,
// default, meaning — that the README shows; a test keeps the two equal.
func FlagTable(cmd *cobra.Command) string {
	var b strings.Builder
	b.WriteString("| flag | variable | default | meaning |\n|---|---|---|---|\n")
	cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
		name := "`--" + f.Name + "`"
		if f.Shorthand != "" {
			name = "`-" + f.Shorthand + "`, " + name
		}
		def := f.DefValue
		if def == "" || def == "0" || def == "false" || def == "0s" || def == "0B" {
			def = ""
		} else {
			def = "`" + def + "`"
		}
		usage := strings.TrimSuffix(f.Usage, " (env "+envOf(f)+")")
		usage = strings.ReplaceAll(usage, "|", `\|`)
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", name, envOf(f), def, usage)
	})
	return b.String()
}
