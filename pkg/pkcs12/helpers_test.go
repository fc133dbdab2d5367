package pkcs12

import (
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// ncaTestdata is the NCA test material beside the repository.
func ncaTestdata(t testing.TB) string { return testenv.Shared(t, "testdata", "nca") }

// ncaPassword is the published password of every NCA test container.
const ncaPassword = "Qwerty12"
