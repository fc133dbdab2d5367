package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"github.com/salyq/salyq/pkg/envelope"
)

// maxCodeLen bounds a code in an error-code file: real codes are a few
// characters, so a longer one is a mistake (a message pasted as a code).
const maxCodeLen = 64

// LoadTable reads an error-code file, a JSON object of code → class name
// such as {"02005": "permanent", "SRV_BUSY": "transient"}, and returns
// base with its entries added or replaced. The file is validated whole
// before anything is used: a bad code or class, a code given twice, or
// "success" (an error that acks a form never filed) is an error.
// NOT_FOUND cannot be set: it is what lets the worker resend after
// asking, not a class.
func LoadTable(path string, base Table) (Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCodesFile, err)
	}
	extra, err := parseCodes(data)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrCodesFile, path, err)
	}
	return base.With(extra), nil
}

// parseCodes reads the object token by token, because decoding into a
// map would keep the last of two entries for a code without a word.
func parseCodes(data []byte) (map[string]Class, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New(`want a JSON object {"CODE": "class", …}`)
	}
	out := map[string]Class{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		code := t.(string) // a key of an object is always a string
		var name string
		if err := dec.Decode(&name); err != nil {
			return nil, fmt.Errorf("code %q: want a class name: %w", code, err)
		}
		if err := checkCode(code); err != nil {
			return nil, err
		}
		if _, dup := out[code]; dup {
			return nil, fmt.Errorf("code %q given twice", code)
		}
		c, ok := ParseClass(name)
		if !ok || c == Success {
			return nil, fmt.Errorf("code %q: class %q: want transient, throttled, maintenance, permanent or ambiguous", code, name)
		}
		out[code] = c
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return out, nil
}

func checkCode(code string) error {
	switch {
	case code == "":
		return errors.New("empty code")
	case len(code) > maxCodeLen:
		return fmt.Errorf("code %.16q…: longer than %d bytes", code, maxCodeLen)
	case strings.IndexFunc(code, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("code %q: spaces or control characters", code)
	case code == envelope.CodeNotFound:
		return fmt.Errorf("code %q has a fixed meaning (not filed) and cannot be classified", code)
	}
	return nil
}
