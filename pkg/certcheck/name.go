package certcheck

import (
	"crypto/x509/pkix"
	"fmt"
	"strings"
)

// attrNames are the short names of the attributes NCA subjects carry.
// pkix.Name.String prints SURNAME and GIVENNAME as hex, which users
// cannot read.
var attrNames = map[string]string{
	"2.5.4.3":              "CN",
	"2.5.4.4":              "SURNAME",
	"2.5.4.42":             "G",
	"2.5.4.5":              "SERIALNUMBER",
	"2.5.4.6":              "C",
	"2.5.4.7":              "L",
	"2.5.4.8":              "ST",
	"2.5.4.10":             "O",
	"2.5.4.11":             "OU",
	"1.2.840.113549.1.9.1": "E",
	// UID names the system in NCA's information-system profile.
	"0.9.2342.19200300.100.1.1": "UID",
}

// nameString renders a name in its encoded order with readable values.
func nameString(n pkix.Name) string {
	if len(n.Names) == 0 {
		return n.String()
	}
	parts := make([]string, 0, len(n.Names))
	for _, atv := range n.Names {
		k, ok := attrNames[atv.Type.String()]
		if !ok {
			k = atv.Type.String()
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, atv.Value))
	}
	return strings.Join(parts, ", ")
}
