package journal

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/salyq/salyq/pkg/envelope"
)

// IndexFile is the name of an export's index.
const IndexFile = "index.csv"

// indexHeader is the first row of index.csv.
var indexHeader = []string{"time", "submission_id", "taxpayer", "message_id", "request_id", "service",
	"outcome", "class", "code", "reason", "http_status", "latency_ms", "request_file", "answer_file",
	"endpoint", "since"}

// Export writes recs into dir (created if missing): each request and
// answer as a file of its own, byte for byte as recorded, and IndexFile
// listing them in order with the time in Astana time. A record without an
// answer has an empty answer file column. Passwords are redacted again,
// in case recs did not come from the journal.
func Export(dir string, recs []Record) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("journal export: %w", err)
	}
	var index bytes.Buffer
	cw := csv.NewWriter(&index)
	cw.Write(indexHeader)
	for i, r := range recs {
		base := fmt.Sprintf("%05d-%s-%s-%s", i+1, safe(r.ID), serviceTag(r.Service), safe(r.MessageID))
		reqFile, ansFile := "", ""
		// A delay entry is no exchange: it has no request to write.
		if !r.Delay() {
			reqFile = base + "-request.xml"
			if err := os.WriteFile(filepath.Join(dir, reqFile), []byte(Redact(r.Request)), 0o600); err != nil {
				return fmt.Errorf("journal export: %w", err)
			}
		}
		if r.Answered() {
			ansFile = base + "-answer" + answerExt(r.Answer)
			if err := os.WriteFile(filepath.Join(dir, ansFile), []byte(r.Answer), 0o600); err != nil {
				return fmt.Errorf("journal export: %w", err)
			}
		}
		cw.Write([]string{r.At.In(envelope.Almaty()).Format(time.RFC3339Nano), r.ID, r.Taxpayer, r.MessageID, r.RequestID, r.Service,
			r.Outcome, r.Class, r.Code, r.Reason, strconv.Itoa(r.HTTPStatus),
			strconv.FormatFloat(float64(r.Latency.Microseconds())/1000, 'f', 3, 64), reqFile, ansFile,
			r.Endpoint, astana(r.Since)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("journal export: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, IndexFile), index.Bytes(), 0o600); err != nil {
		return fmt.Errorf("journal export: %w", err)
	}
	return nil
}

// ReadExport reads back an export that Export wrote into dir: the
// records of its index with their request and answer files. Latencies
// come back to the microsecond.
func ReadExport(dir string) ([]Record, error) {
	data, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIndex, err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIndex, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(indexHeader, ",") {
		return nil, fmt.Errorf("%w: unexpected header", ErrIndex)
	}
	var out []Record
	for n, row := range rows[1:] {
		r, err := readRow(dir, row)
		if err != nil {
			return nil, fmt.Errorf("%w: row %d: %w", ErrIndex, n+2, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func readRow(dir string, row []string) (Record, error) {
	if len(row) != len(indexHeader) {
		return Record{}, fmt.Errorf("%d columns, want %d", len(row), len(indexHeader))
	}
	at, err := time.Parse(time.RFC3339Nano, row[0])
	if err != nil {
		return Record{}, err
	}
	status, err := strconv.Atoi(row[10])
	if err != nil {
		return Record{}, err
	}
	ms, err := strconv.ParseFloat(row[11], 64)
	if err != nil {
		return Record{}, err
	}
	r := Record{At: at.In(envelope.Almaty()), ID: row[1], Taxpayer: row[2], MessageID: row[3], RequestID: row[4], Service: row[5],
		Outcome: row[6], Class: row[7], Code: row[8], Reason: row[9], HTTPStatus: status,
		Latency: time.Duration(ms*1000+0.5) * time.Microsecond, Endpoint: row[14]}
	if row[15] != "" {
		since, err := time.Parse(time.RFC3339Nano, row[15])
		if err != nil {
			return Record{}, err
		}
		r.Since = since.In(envelope.Almaty())
	}
	if row[12] != "" {
		req, err := os.ReadFile(filepath.Join(dir, filepath.Base(row[12])))
		if err != nil {
			return Record{}, err
		}
		r.Request = string(req)
	}
	if row[13] != "" {
		ans, err := os.ReadFile(filepath.Join(dir, filepath.Base(row[13])))
		if err != nil {
			return Record{}, err
		}
		r.Answer = string(ans)
	}
	return r, nil
}

// astana is t in Astana time for the index, or empty for the zero time.
func astana(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(envelope.Almaty()).Format(time.RFC3339Nano)
}

// serviceTag is a short file-name tag of a service.
func serviceTag(service string) string {
	switch service {
	case envelope.ServiceSend:
		return "send"
	case envelope.ServiceStatus:
		return "status"
	}
	return safe(service)
}

// answerExt is .xml for an XML answer, .txt for anything else (a proxy's
// error page).
func answerExt(answer string) string {
	if strings.HasPrefix(strings.TrimSpace(answer), "<") {
		return ".xml"
	}
	return ".txt"
}

// safe keeps a file-name part to letters, digits, '.', '_' and '-'.
func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, s)
}
