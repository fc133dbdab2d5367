package app

import (
	"github.com/spf13/cobra"
)

// configOf is the configuration of a process running parts, given args and
// the environment, as its command would see it: flags parsed, variables
// applied.
func configOf(parts Parts, args ...string) (Config, error) {
	var cfg Config
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	cfg.Register(cmd.Flags(), parts)
	finish(cmd, IO{})
	if err := cmd.ParseFlags(args); err != nil {
		return cfg, cmd.FlagErrorFunc()(cmd, err)
	}
	return cfg, applyEnv(cmd.Flags(), lookupEnv)
}
