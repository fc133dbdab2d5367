package sonosim

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"time"
)

// journal writes each exchange as files in a directory:
// 000042-SONO_FNO_SEND-request-20250715T150000.000+0500.xml and
// 000042-SONO_FNO_SEND-response-500-20250715T150000.120+0500.xml (.txt for
// a non-XML answer, "dropped" for a connection closed without one).
// Times are Asia/Almaty, as seed 003 §20 wants messages recorded.
type journal struct {
	dir string
	loc *time.Location
	seq atomic.Int64
}

func newJournal(dir string, loc *time.Location) (*journal, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("sonosim: journal: %w", err)
	}
	return &journal{dir: dir, loc: loc}, nil
}

// passwordRE finds the sender password of a request: unqualified, but a
// hostile sender might still prefix it, so any prefix is matched.
var passwordRE = regexp.MustCompile(`(<(?:[A-Za-z_][\w.-]*:)?password\b[^>]*>)[^<]*(</)`)

const journalTime = "20060102T150405.000-0700"

// write records one exchange. The password is masked: the journal is
// read by people debugging, who must not learn it.
func (j *journal) write(service string, received time.Time, req []byte, ans *answer, answered time.Time) error {
	if j == nil {
		return nil
	}
	if service == "" {
		service = "-"
	}
	seq := j.seq.Add(1)
	prefix := fmt.Sprintf("%06d-%s", seq, safeName(service))
	masked := passwordRE.ReplaceAll(req, []byte("${1}***${2}"))
	if err := os.WriteFile(filepath.Join(j.dir, fmt.Sprintf("%s-request-%s.xml", prefix, received.In(j.loc).Format(journalTime))), masked, 0o640); err != nil {
		return fmt.Errorf("sonosim: journal: %w", err)
	}
	var name string
	switch {
	case ans.drop:
		name = fmt.Sprintf("%s-dropped-%s.txt", prefix, answered.In(j.loc).Format(journalTime))
	case ans.contentType == contentTypeXML:
		name = fmt.Sprintf("%s-response-%d-%s.xml", prefix, ans.status, answered.In(j.loc).Format(journalTime))
	default:
		name = fmt.Sprintf("%s-response-%d-%s.txt", prefix, ans.status, answered.In(j.loc).Format(journalTime))
	}
	if err := os.WriteFile(filepath.Join(j.dir, name), ans.body, 0o640); err != nil {
		return fmt.Errorf("sonosim: journal: %w", err)
	}
	return nil
}

// safeName keeps a sender-chosen service id from steering the file name.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	if len(b) > 40 {
		b = b[:40]
	}
	return string(b)
}
