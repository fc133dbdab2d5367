package streams

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Diff is one field in which an existing stream or bucket differs from
// the configuration a service wants.
type Diff struct {
	// Kind is "stream" or "bucket"; Name its name.
	Kind, Name string
	// Field is the setting, as an operator knows it: replicas, duplicate
	// window, max age, history, subjects, retention, storage, compression.
	Field string
	// Have is the value in JetStream, Want the configured one.
	Have, Want string
	// Lowers reports that applying Want would lose durability or
	// protection: fewer replicas, a shorter window, age or history.
	Lowers bool
}

func (d Diff) String() string {
	return fmt.Sprintf("%s %s: %s is %s, configured %s", d.Kind, d.Name, d.Field, d.Have, d.Want)
}

// compare lists the fields of have that differ from what s wants. Only
// the fields salyq manages are looked at; anything an operator set
// besides them is left alone.
func compare(s spec, have jetstream.StreamConfig) []Diff {
	want := s.want
	var out []Diff
	add := func(field, h, w string, lowers bool) {
		out = append(out, Diff{Kind: s.kind(), Name: s.name, Field: field, Have: h, Want: w, Lowers: lowers})
	}
	if have.Replicas != want.Replicas {
		add("replicas", strconv.Itoa(have.Replicas), strconv.Itoa(want.Replicas), want.Replicas < have.Replicas)
	}
	if have.MaxAge != want.MaxAge {
		add("max age", age(have.MaxAge), age(want.MaxAge), shorter(want.MaxAge, have.MaxAge))
	}
	if have.Storage != want.Storage {
		add("storage", have.Storage.String(), want.Storage.String(), want.Storage == jetstream.MemoryStorage)
	}
	if s.bucket {
		if have.MaxMsgsPerSubject != want.MaxMsgsPerSubject {
			add("history", strconv.FormatInt(have.MaxMsgsPerSubject, 10), strconv.FormatInt(want.MaxMsgsPerSubject, 10),
				want.MaxMsgsPerSubject < have.MaxMsgsPerSubject)
		}
		if want.AllowMsgTTL && !have.AllowMsgTTL {
			// Without it finished records never expire; turning it on
			// loses nothing (JetStream cannot turn it off again).
			add("per-key TTL", "off", "on", false)
		}
		// A bucket's duplicate window, subjects and retention follow from
		// its other settings.
		return out
	}
	if have.Duplicates != want.Duplicates {
		add("duplicate window", have.Duplicates.String(), want.Duplicates.String(), want.Duplicates < have.Duplicates)
	}
	if !slices.Equal(have.Subjects, want.Subjects) {
		add("subjects", strings.Join(have.Subjects, ","), strings.Join(want.Subjects, ","), false)
	}
	if have.Retention != want.Retention {
		add("retention", have.Retention.String(), want.Retention.String(), false)
	}
	if have.Compression != want.Compression {
		add("compression", have.Compression.String(), want.Compression.String(), false)
	}
	return out
}

// apply returns have with the managed fields of s, for an update that
// keeps whatever else an operator configured.
func apply(s spec, have jetstream.StreamConfig) jetstream.StreamConfig {
	c := have
	c.Replicas, c.MaxAge, c.Storage = s.want.Replicas, s.want.MaxAge, s.want.Storage
	if s.bucket {
		c.MaxMsgsPerSubject = s.want.MaxMsgsPerSubject
		c.AllowMsgTTL = c.AllowMsgTTL || s.want.AllowMsgTTL
		// JetStream refuses a duplicate window longer than the max age.
		if c.MaxAge > 0 && c.Duplicates > c.MaxAge {
			c.Duplicates = c.MaxAge
		}
		return c
	}
	c.Duplicates, c.Subjects, c.Retention, c.Compression = s.want.Duplicates, s.want.Subjects, s.want.Retention, s.want.Compression
	return c
}

// shorter reports whether age want keeps less than have; zero is
// unlimited.
func shorter(want, have time.Duration) bool {
	return want != 0 && (have == 0 || want < have)
}

func age(d time.Duration) string {
	if d == 0 {
		return "unlimited"
	}
	return d.String()
}
