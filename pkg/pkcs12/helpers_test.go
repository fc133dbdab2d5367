package pkcs12

import (
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// ncaTestdata is the NCA test material in the repository (testdata/nca).
func ncaTestdata(t testing.TB) string { return testenv.Path(t, "testdata", "nca") }

// ncaPassword is the published password of every NCA test container.
const ncaPassword = "Qwerty12"
