package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Exit codes of every salyq binary.
const (
	ExitOK     = 0 // all done as asked
	ExitError  = 1 // an error
	ExitUsage  = 2 // a wrong command line or setting
	ExitFailed = 3 // some forms ended rejected or dead-lettered
)

// ExitCode is the exit code of a program that returned err.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrUsage):
		return ExitUsage
	case errors.Is(err, ErrFailed):
		return ExitFailed
	}
	return ExitError
}

// Exec is the body of every salyq binary's main: it runs p with the
// command line and the standard streams until SIGINT or SIGTERM, prints
// its error under name and returns the exit code.
func Exec(name string, p Program) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := p(ctx, os.Args[1:], IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		if errors.Is(err, ErrUsage) {
			fmt.Fprintf(os.Stderr, "run '%s --help' for usage\n", name)
		}
	}
	return ExitCode(err)
}

// version is the module version and commit the binary was built from, as
// the Go toolchain recorded them.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev != "" {
		v += " (commit " + rev + modified + ")"
	}
	return v + " " + bi.GoVersion
}
