package app

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/spf13/pflag"
)

// Log formats of --log-format.
const (
	LogText = "text"
	LogJSON = "json"
)

// parseLevel reads --log-level; -v means debug whatever the level says.
func parseLevel(cfg Config) (slog.Level, error) {
	if cfg.Verbose {
		return slog.LevelDebug, nil
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return 0, fmt.Errorf("%w: --log-level %q: want debug, info, warn or error", ErrUsage, cfg.LogLevel)
	}
	return l, nil
}

// checkLog refuses a --log-format or --log-level the logger would not
// understand, before anything starts.
func checkLog(cfg Config) error {
	if _, err := parseLevel(cfg); err != nil {
		return err
	}
	switch cfg.LogFormat {
	case "", LogText, LogJSON:
		return nil
	}
	return fmt.Errorf("%w: --log-format %q: want text or json", ErrUsage, cfg.LogFormat)
}

// logger is the slog logger of --log-format and --log-level (-v: debug),
// writing to w. A bad setting falls back to text at INFO: the commands
// that care call checkLog first.
func logger(cfg Config, w io.Writer) *slog.Logger {
	level, err := parseLevel(cfg)
	if err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// secretFlag reports whether a flag's value is a secret: it is logged
// only as set or unset.
func secretFlag(name string) bool {
	for _, s := range []string{"password", "pass", "secret", "token"} {
		if strings.Contains(name, s) && !strings.HasSuffix(name, "tokens") && !strings.HasSuffix(name, "-file") {
			return true
		}
	}
	return false
}

// configAttrs is the effective configuration as log attributes: every
// flag of fs with its value (from the command line, SALYQ_* or the
// default), secrets as "set"/"unset", and URLs without their passwords.
// The passwords that only come from the environment are listed too.
func configAttrs(fs *pflag.FlagSet, cfg Config) []any {
	var attrs []any
	fs.VisitAll(func(f *pflag.Flag) {
		v := f.Value.String()
		switch {
		case secretFlag(f.Name):
			v = setOrUnset(v)
		default:
			v = redactURLs(v)
		}
		attrs = append(attrs, slog.String(f.Name, v))
	})
	return append(attrs,
		slog.String("keys-password", setOrUnset(cfg.KeysPassword)),
		slog.String("transport-key-password", setOrUnset(cfg.TransportPass)))
}

func setOrUnset(v string) string {
	if v == "" {
		return "unset"
	}
	return "set"
}

// redactURLs hides the password of every URL in a comma-separated list
// (nats://user:pass@host).
func redactURLs(v string) string {
	if !strings.Contains(v, "@") {
		return v
	}
	parts := strings.Split(v, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil {
			// Unparsable but holding an @: keep nothing that might be a
			// password.
			parts[i] = "(redacted)"
			continue
		}
		if u.User != nil {
			parts[i] = u.Redacted()
			if _, has := u.User.Password(); !has {
				// A bare token (nats://TOKEN@host) is a secret too.
				u.User = url.User("REDACTED")
				parts[i] = u.String()
			}
		}
	}
	return strings.Join(parts, ",")
}

// String names the parts, for log lines: "intake+worker+poller".
func (p Parts) String() string {
	var names []string
	for _, n := range []struct {
		on   bool
		name string
	}{{p.Intake, "intake"}, {p.Worker, "worker"}, {p.Poller, "poller"}} {
		if n.on {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, "+")
}
