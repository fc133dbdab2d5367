package app

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strings"

	"github.com/salyq/salyq/internal/httplimit"
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
	size, err := httplimit.ParseSize(spec)
	if err != nil {
		return fmt.Errorf("%w: --memory-limit: %w", ErrConfig, err)
	}
	n := int64(size)
	if n == 0 {
		n = math.MaxInt64 // off
	}
	debug.SetMemoryLimit(n)
	log.Debug("memory limit", "bytes", n)
	return nil
}
