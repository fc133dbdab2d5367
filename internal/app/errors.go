package app

import "errors"

var (
	// ErrUsage means the command line or a SALYQ_ variable is wrong.
	ErrUsage = errors.New("usage")
	// ErrConfig means the configuration is incomplete or inconsistent.
	ErrConfig = errors.New("configuration")
	// ErrNotConnected means the NATS connection is not up (/readyz).
	ErrNotConnected = errors.New("NATS connection not established")
	// ErrNotFound means what a command was asked about does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNoKeys means the keystore holds no key (/readyz).
	ErrNoKeys = errors.New("no key loaded")
	// ErrOpenAPI means the intake API would serve a non-loopback address
	// without API tokens.
	ErrOpenAPI = errors.New("unauthenticated API on a public address")
	// ErrTimeout means a command gave up waiting (submit --wait --timeout).
	ErrTimeout = errors.New("timed out")
	// ErrFailed means some forms were refused or ended rejected or in the
	// dead letters.
	ErrFailed = errors.New("some forms failed")
	// ErrDataInUse means another salyq holds the data directory's lock.
	ErrDataInUse = errors.New("data directory in use")
	// ErrNoInstance means submit found no running salyq to submit to.
	ErrNoInstance = errors.New("no running salyq")
)
