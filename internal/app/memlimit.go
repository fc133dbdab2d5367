package app

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// DefaultMemoryLimit is the Go soft memory limit of a salyq process that
// runs JetStream embedded. Without one, the garbage collector lets the
// heap grow to twice what is live, and the embedded server's transient
// buffers (message blocks of a long queue) then show as RSS that grows
// with the batch. The limit is soft: a process that needs more gets it,
// at the cost of collecting more often.
const DefaultMemoryLimit = 128 << 20

// ApplyMemoryLimit sets the process's soft memory limit from --memory-limit;
// "auto" means DefaultMemoryLimit when JetStream runs in this process and
// no GOMEMLIMIT is set, and the Go default otherwise.
func ApplyMemoryLimit(cfg Config, embedded bool, log *slog.Logger) error {
	spec := strings.TrimSpace(cfg.MemoryLimit)
	if spec == "" || spec == "auto" {
		if !embedded || os.Getenv("GOMEMLIMIT") != "" {
			return nil
		}
		debug.SetMemoryLimit(DefaultMemoryLimit)
		return nil
	}
	n, err := parseBytes(spec)
	if err != nil {
		return fmt.Errorf("%w: --memory-limit: %w", ErrConfig, err)
	}
	if n == 0 {
		n = math.MaxInt64 // off
	}
	debug.SetMemoryLimit(n)
	log.Debug("memory limit", "bytes", n)
	return nil
}

// parseBytes reads a size in GOMEMLIMIT's syntax: a number with an
// optional B, KiB, MiB or GiB suffix.
func parseBytes(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = rest, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is not a size such as 256MiB", s)
	}
	return n * mult, nil
}
