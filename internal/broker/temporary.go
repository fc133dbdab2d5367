package broker

import (
	"context"
	"errors"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// JetStream error codes of a cluster that is not ready yet: no meta
// leader, too few peers up for the replicas, a stream's leader being
// elected.
const (
	codeNoPeers               = 10005 // no suitable peers for placement
	codeClusterNotAvailable   = 10008 // JetStream system temporarily unavailable
	codeClusterNotLeader      = 10009 // JetStream cluster can not handle request
	codeInsufficientResources = 10023
	codeNotEnabledForAccount  = 10039
	codeNotEnabled            = 10076
	codeStreamOffline         = 10118
)

// Temporary reports whether err from a JetStream API call may go away by
// itself while a cluster starts or elects leaders, so that the call is
// worth trying again.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, nats.ErrTimeout),
		errors.Is(err, nats.ErrNoResponders),
		errors.Is(err, nats.ErrConnectionReconnecting),
		errors.Is(err, nats.ErrDisconnected),
		errors.Is(err, jetstream.ErrJetStreamNotEnabled),
		errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount):
		return true
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode {
		case codeNoPeers, codeClusterNotAvailable, codeClusterNotLeader, codeInsufficientResources,
			codeNotEnabledForAccount, codeNotEnabled, codeStreamOffline:
			return true
		}
		return apiErr.Code == 503
	}
	// Some of these reach the client only as text.
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"no suitable peers", "insufficient resources", "temporarily unavailable", "not enabled", "no responders"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// connectTemporary reports whether a failed connect is worth retrying:
// everything but a refused authorization, which waiting does not fix.
func connectTemporary(err error) bool {
	return !errors.Is(err, nats.ErrAuthorization) && !errors.Is(err, nats.ErrAuthExpired) &&
		!strings.Contains(strings.ToLower(err.Error()), "authorization violation")
}
