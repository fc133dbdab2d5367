package ncakey

// Identifiers NCA RK prints into the certificates of its public test PKI.
// Their check digits are wrong on purpose, so a production system that
// validates identifiers refuses them.
const (
	// TestIIN is the IIN of NCA's test individual.
	TestIIN = "123456789011"
	// TestIIN2 is the IIN of NCA's second test person (the employee with
	// the right to sign and the information-system key in the test set).
	TestIIN2 = "123456789012"
	// TestBIN is the BIN of NCA's test legal entity.
	TestBIN = "123456789021"
)

// IsTestIdentifier reports whether s is one of NCA's test identifiers.
func IsTestIdentifier(s string) bool {
	return s == TestIIN || s == TestIIN2 || s == TestBIN
}

// ValidIIN checks an individual identification number: 12 digits with a
// correct check digit. NCA's test identifiers are refused.
func ValidIIN(s string) error { return validIdentifier("IIN", s, false) }

// ValidBIN checks a business identification number: 12 digits with a
// correct check digit (the same algorithm as the IIN). NCA's test
// identifiers are refused.
func ValidBIN(s string) error { return validIdentifier("BIN", s, false) }

// ValidIdentifier checks an IIN or a BIN. NCA's test identifiers, whose
// check digits are wrong, pass only when allowTest is set: that is the
// switch for the NCA test environment.
func ValidIdentifier(s string, allowTest bool) error {
	return validIdentifier("IIN/BIN", s, allowTest)
}

func validIdentifier(field, s string, allowTest bool) error {
	if len(s) != 12 {
		return &IdentifierError{Field: field, Value: s, Reason: "must be 12 digits", Err: ErrInvalidIdentifier}
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return &IdentifierError{Field: field, Value: s, Reason: "must be 12 digits", Err: ErrInvalidIdentifier}
		}
	}
	if IsTestIdentifier(s) {
		if allowTest {
			return nil
		}
		return &IdentifierError{Field: field, Value: s, Reason: "NCA test identifier, refused unless test identities are enabled", Err: ErrTestIdentifier}
	}
	want, ok := CheckDigit(s[:11])
	if !ok {
		return &IdentifierError{Field: field, Value: s, Reason: "no check digit exists for the first 11 digits", Err: ErrInvalidIdentifier}
	}
	if int(s[11]-'0') != want {
		return &IdentifierError{Field: field, Value: s, Reason: "wrong check digit", Err: ErrInvalidIdentifier}
	}
	return nil
}

// CheckDigit computes the 12th digit of an IIN or BIN from its first 11
// digits. ok is false when first11 is not 11 digits or when both weight
// rounds give 10: such numbers are never issued.
func CheckDigit(first11 string) (digit int, ok bool) {
	if len(first11) != 11 {
		return 0, false
	}
	sum1, sum2 := 0, 0
	for i := 0; i < 11; i++ {
		c := first11[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int(c - '0')
		sum1 += d * (i + 1)        // weights 1..11
		sum2 += d * ((i+2)%11 + 1) // weights 3..11,1,2
	}
	if r := sum1 % 11; r != 10 {
		return r, true
	}
	if r := sum2 % 11; r != 10 {
		return r, true
	}
	return 0, false
}
