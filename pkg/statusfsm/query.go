package statusfsm

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Get returns the form with the given submission id.
func (s *Store) Get(id string) (Form, error) {
	if err := checkID(id); err != nil {
		return Form{}, err
	}
	var f *Form
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		f, err = getForm(tx, id)
		return err
	})
	if err != nil {
		return Form{}, fmt.Errorf("statusfsm: get %s: %w", id, err)
	}
	return *f, nil
}

// History returns every recorded entry of form id, oldest first.
func (s *Store) History(id string) ([]Entry, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var out []Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketForms).Get([]byte(id)) == nil {
			return ErrNotFound
		}
		prefix := historyPrefix(id)
		c := tx.Bucket(bucketHistory).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: history %s: %v", ErrCorrupt, id, err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("statusfsm: history %s: %w", id, err)
	}
	return out, nil
}

// Filter selects forms for List. The zero value selects all.
type Filter struct {
	// State, when set, selects forms in that state.
	State Status
	// Flagged selects forms with any flag set.
	Flagged bool
	// Terminal and Open select forms in a terminal or non-terminal state.
	Terminal bool
	Open     bool
	// After resumes a listing after this id (ids are listed in byte order).
	After string
}

// List returns up to limit forms matching filter, in id order. It scans the
// forms bucket: it is for the admin CLI, not for hot paths.
func (s *Store) List(filter Filter, limit int) ([]Form, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []Form
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketForms).Cursor()
		var k, v []byte
		if filter.After == "" {
			k, v = c.First()
		} else {
			k, v = c.Seek([]byte(filter.After))
			if k != nil && string(k) == filter.After {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(out) < limit; k, v = c.Next() {
			var f Form
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("%w: form %s: %v", ErrCorrupt, k, err)
			}
			if s.matches(filter, &f) {
				out = append(out, f)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("statusfsm: list: %w", err)
	}
	return out, nil
}

func (s *Store) matches(fl Filter, f *Form) bool {
	if fl.State != "" && f.State != fl.State {
		return false
	}
	if fl.Flagged && f.Flags == 0 {
		return false
	}
	term := s.table.Terminal(f.State)
	if fl.Terminal && !term {
		return false
	}
	if fl.Open && term {
		return false
	}
	return true
}

// OutcomeInProgress is the Counts outcome of forms not yet terminal.
const OutcomeInProgress = "in progress"

// Counts is the number of forms per state and per outcome.
type Counts struct {
	Total     int
	ByState   map[Status]int
	ByOutcome map[string]int
}

// Counts returns the number of forms per state and per outcome. The
// counters are maintained in every transaction, so this costs O(states).
func (s *Store) Counts() (Counts, error) {
	cs := Counts{ByState: map[Status]int{}, ByOutcome: map[string]int{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCounts).ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("%w: counter %q", ErrCorrupt, k)
			}
			n := int(binary.BigEndian.Uint64(v))
			st := Status(k)
			cs.ByState[st] += n
			cs.Total += n
			outcome := OutcomeInProgress
			if in := s.table.Info(st); in.Terminal {
				outcome = in.Outcome
			}
			cs.ByOutcome[outcome] += n
			return nil
		})
	})
	if err != nil {
		return Counts{}, fmt.Errorf("statusfsm: counts: %w", err)
	}
	return cs, nil
}
