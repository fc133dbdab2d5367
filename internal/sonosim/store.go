package sonosim

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/salyq/salyq/pkg/envelope"
)

// Filing is a form SONO took for processing.
type Filing struct {
	RequestID string
	// MessageID is requestInfo/messageId of the send that filed it.
	MessageID string
	Taxpayer  string
	Code      string
	Version   string
	Period    envelope.Period
	Kind      envelope.Kind
	// Digest is the hex SHA-256 of the form's code, version and field
	// values: the same content signed twice has the same digest.
	Digest   string
	FiledAt  time.Time
	Scenario Outcome
	// Seq numbers filings in the order they were accepted, from 1.
	Seq int

	sc scenario
}

// registrationNumber is SONO's number of the filing, once registered.
func (f *Filing) registrationNumber(now time.Time, step time.Duration) string {
	if f.sc.reached(f.FiledAt, now, step) <= registeredAt {
		return ""
	}
	return fmt.Sprintf("%s%04d%08d", strings.ReplaceAll(f.Code, ".", ""), f.Period.Year, f.Seq)
}

// store holds the filings in memory. Every operation takes the one mutex,
// so the duplicate check and the insert are atomic.
type store struct {
	mu        sync.Mutex
	seq       int
	byRequest map[string]*Filing
	byMessage map[string][]*Filing // in filing order
	bySlot    map[string][]*Filing // exclusive kinds only
}

func newStore() *store {
	s := &store{}
	s.reset()
	return s
}

func (s *store) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq = 0
	s.byRequest = map[string]*Filing{}
	s.byMessage = map[string][]*Filing{}
	s.bySlot = map[string][]*Filing{}
}

func slotKey(f *Filing) string {
	return f.Taxpayer + "|" + f.Code + "|" + f.Period.String()
}

// add files f unless an exclusive filing of the same slot is live at now
// (§4b); then it returns that filing and false.
func (s *store) add(f *Filing, now time.Time, step time.Duration) (*Filing, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := slotKey(f)
	if f.Kind.Exclusive() {
		for _, prev := range s.bySlot[key] {
			if !freeingStatuses[prev.sc.current(prev.FiledAt, now, step)] {
				return prev, false
			}
		}
	}
	s.seq++
	f.Seq = s.seq
	s.byRequest[f.RequestID] = f
	s.byMessage[f.MessageID] = append(s.byMessage[f.MessageID], f)
	if f.Kind.Exclusive() {
		s.bySlot[key] = append(s.bySlot[key], f)
	}
	return f, true
}

func (s *store) byRequestID(id string) (*Filing, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.byRequest[id]
	return f, ok
}

// byMessageID returns the earliest filing of the message that was handed
// on by now.
func (s *store) byMessageID(id string, now time.Time, handoff time.Duration) (*Filing, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.byMessage[id] {
		if !now.Before(f.FiledAt.Add(handoff)) {
			return f, true
		}
	}
	return nil, false
}

func (s *store) all() []Filing {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Filing, 0, len(s.byRequest))
	for _, f := range s.byRequest {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b Filing) int { return a.Seq - b.Seq })
	return out
}
