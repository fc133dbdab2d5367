package app

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// envAnnotation names the flag annotation that holds a flag's variable.
const envAnnotation = "salyq_env"

// envOf is the variable of a flag ("" before bindEnvs gave it one).
func envOf(f *pflag.Flag) string {
	if v := f.Annotations[envAnnotation]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// withEnv registers name's variable on fs.
func withEnv(fs *pflag.FlagSet, name, variable string) {
	if err := fs.SetAnnotation(name, envAnnotation, []string{variable}); err != nil {
		panic(err) // a flag registered a line above: a programming error
	}
}

// shared adds the flags register makes to fs, each bound to SALYQ_ and its
// name: a setting shared by several commands has one variable for all.
func shared(fs *pflag.FlagSet, register func(*pflag.FlagSet)) {
	own := pflag.NewFlagSet("", pflag.ContinueOnError)
	register(own)
	own.VisitAll(func(f *pflag.Flag) {
		if envOf(f) == "" {
			withEnv(own, f.Name, envName("", f.Name))
		}
	})
	fs.AddFlagSet(own)
}

// envName is the variable of a flag: SALYQ_ and the flag's name in
// capitals, after the command's path for a flag of one command
// ("dlq replay --all": SALYQ_DLQ_REPLAY_ALL), so that a variable set for
// one command never changes what another does.
func envName(scope, flag string) string {
	name := "SALYQ_"
	if scope != "" {
		name += scope + "_"
	}
	return strings.ToUpper(strings.NewReplacer("-", "_", " ", "_").Replace(name + flag))
}

// bindEnvs gives every flag of cmd and its subcommands without a variable
// the one envName makes, and says which in its help.
func bindEnvs(cmd *cobra.Command) {
	scope := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name())
	scope = strings.TrimSpace(scope)
	cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if envOf(f) == "" {
			withEnv(cmd.Flags(), f.Name, envName(scope, f.Name))
		}
		if !strings.Contains(f.Usage, envOf(f)) {
			f.Usage += " (env " + envOf(f) + ")"
		}
	})
	for _, c := range cmd.Commands() {
		bindEnvs(c)
	}
}

// applyEnv sets every flag the command line did not give from its
// variable. A value the flag refuses is a usage error naming the variable:
// a typo in an environment file must stop the start, not fall back to a
// default nobody chose.
func applyEnv(fs *pflag.FlagSet, lookup func(string) (string, bool)) error {
	var first error
	fs.VisitAll(func(f *pflag.Flag) {
		name := envOf(f)
		if first != nil || name == "" || f.Changed {
			return
		}
		v, ok := lookup(name)
		if !ok {
			return
		}
		if err := f.Value.Set(v); err != nil {
			first = fmt.Errorf("%w: %s=%q (--%s): %w", ErrUsage, name, v, f.Name, err)
		}
	})
	return first
}

// lookupEnv is os.LookupEnv; an empty variable counts as unset, as the
// hand-written readers before it did.
func lookupEnv(name string) (string, bool) {
	v, ok := os.LookupEnv(name)
	return v, ok && v != ""
}

// choice is a string flag that takes one of a closed set of values.
type choice struct {
	value   *string
	allowed []string
}

func newChoice(p *string, def string, allowed ...string) *choice {
	*p = def
	return &choice{value: p, allowed: allowed}
}

func (c *choice) String() string { return *c.value }

// Type names the values in help.
func (c *choice) Type() string { return strings.Join(c.allowed, "|") }

func (c *choice) Set(v string) error {
	if !slices.Contains(c.allowed, v) {
		return fmt.Errorf("want %s", strings.Join(c.allowed, ", "))
	}
	*c.value = v
	return nil
}

// checked is a string flag whose value a parser must accept.
type checked struct {
	value *string
	kind  string
	parse func(string) error
}

func newChecked(p *string, def, kind string, parse func(string) error) *checked {
	*p = def
	return &checked{value: p, kind: kind, parse: parse}
}

func (c *checked) String() string { return *c.value }
func (c *checked) Type() string   { return c.kind }

func (c *checked) Set(v string) error {
	if err := c.parse(v); err != nil {
		return err
	}
	*c.value = v
	return nil
}
