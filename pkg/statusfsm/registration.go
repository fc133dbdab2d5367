package statusfsm

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Register keeps SONO's registration number of form id. It writes only
// when the number is new or changed, so a caller may hand it every
// answer's number; it neither moves the form nor enters the outbox: the
// number goes out with the form's next published change (SONO registers
// a form when its status moves).
func (s *Store) Register(ctx context.Context, id, number string) error {
	if number == "" {
		return nil
	}
	err := s.batch(ctx, id, func(tx *bolt.Tx) error {
		f, err := getForm(tx, id)
		if err != nil {
			return err
		}
		if f.Registration == number {
			return nil
		}
		f.Registration = number
		return putForm(tx, f)
	})
	if err != nil {
		return fmt.Errorf("statusfsm: register %s: %w", id, err)
	}
	return nil
}
