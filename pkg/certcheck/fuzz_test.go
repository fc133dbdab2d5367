package certcheck

import "testing"

// FuzzParseCRL checks that no input panics ParseCRL and that whatever it
// accepts is internally consistent.
func FuzzParseCRL(f *testing.F) {
	f.Add(readNCA(f, crlFile))
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		crl, err := ParseCRL(der)
		if err != nil {
			return
		}
		if len(crl.RawTBS) == 0 || len(crl.RawTBS) >= len(der) {
			t.Fatalf("TBS of %d bytes in a CRL of %d", len(crl.RawTBS), len(der))
		}
		for k, e := range crl.Entries {
			if e.Serial == nil || serialHex(e.Serial) != k {
				t.Fatalf("entry %s: %+v", k, e)
			}
		}
	})
}
