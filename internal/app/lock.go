package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// lockFile is the file under --data whose flock marks the directory's
// owner: the one process that may run the embedded JetStream and the
// poller store there, and write or remove nats.url and api.url.
const lockFile = "salyq.lock"

// InUseError is the refusal of a data directory another salyq holds.
type InUseError struct {
	Dir   string
	PID   int       // 0 when the holder did not say
	Since time.Time // zero when the holder did not say
}

func (e *InUseError) Error() string {
	who := "another salyq"
	if e.PID > 0 {
		who = "salyq pid " + strconv.Itoa(e.PID)
	}
	if !e.Since.IsZero() {
		who += " since " + humanTime(e.Since)
	}
	return fmt.Sprintf("data directory %s is in use by %s; stop it or use another --data", e.Dir, who)
}

// Is makes an InUseError match ErrDataInUse.
func (e *InUseError) Is(target error) bool { return target == ErrDataInUse }

// DataLock is the held lock of a data directory.
type DataLock struct {
	dir string
	f   *os.File
}

// LockData takes the exclusive lock of dir (creating it) or fails at once
// with an *InUseError naming the holder. flock, not fcntl: its lock
// belongs to the open file, so it also keeps two instances in one process
// (tests) apart, and the kernel drops it when the holder dies, so a crash
// leaves no stale lock to clean up.
func LockData(dir string, now time.Time) (*DataLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data directory lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, readHolder(dir, path)
		}
		return nil, fmt.Errorf("data directory lock %s: %w", path, err)
	}
	// Written in place, never renamed: the lock lives on this inode.
	info := fmt.Sprintf("pid %d\nsince %s\n", os.Getpid(), now.Format(time.RFC3339Nano))
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt([]byte(info), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("data directory lock %s: %w", path, err)
	}
	return &DataLock{dir: dir, f: f}, nil
}

// readHolder is the InUseError of a lock held by another process, with
// what it wrote about itself (a holder that is still writing may have
// said nothing yet).
func readHolder(dir, path string) error {
	e := &InUseError{Dir: dir}
	b, _ := os.ReadFile(path)
	for line := range strings.Lines(string(b)) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch k {
		case "pid":
			e.PID, _ = strconv.Atoi(v)
		case "since":
			e.Since, _ = time.Parse(time.RFC3339Nano, v)
		}
	}
	return e
}

// Dir is the locked data directory.
func (l *DataLock) Dir() string { return l.dir }

// Release gives the directory up. The file stays: removing it would let
// a newcomer lock a fresh inode while another still waits on this one.
func (l *DataLock) Release() {
	if l == nil || l.f == nil {
		return
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}

// dataInUse reports whether a process holds dir's lock. It probes with a
// shared lock, released at once, and writes nothing: a salyq starting in
// that instant may be refused, which it says, and is started again.
func dataInUse(dir string) bool {
	f, err := os.Open(filepath.Join(dir, lockFile))
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}
