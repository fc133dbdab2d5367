package sonosim

import (
	"errors"
	"fmt"
)

// Sentinel errors of the package.
var (
	// ErrConfig means a Config or a flag value cannot be used.
	ErrConfig = errors.New("sonosim: bad configuration")
	// ErrPKI means the sandbox PKI directory cannot be created or loaded.
	ErrPKI = errors.New("sonosim: PKI")
)

// ConfigError names the setting that is wrong and why.
type ConfigError struct {
	Setting string
	Reason  string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrConfig, e.Setting, e.Reason)
}

// Unwrap returns ErrConfig.
func (e *ConfigError) Unwrap() error { return ErrConfig }

func configErr(setting, format string, args ...any) error {
	return &ConfigError{Setting: setting, Reason: fmt.Sprintf(format, args...)}
}
