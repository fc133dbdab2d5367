package envelope

// Kind is the kind of a filing, read from the form's dt_* radio fields.
type Kind string

// The form kinds of docs/PROTOCOL.md §4.
const (
	KindMain       Kind = "dt_main"       // первоначальная
	KindRegular    Kind = "dt_regular"    // очередная
	KindAdditional Kind = "dt_additional" // дополнительная
	KindNotice     Kind = "dt_notice"     // по уведомлению
)

// kinds is the closed set, in the order they are looked for.
var kinds = []Kind{KindMain, KindRegular, KindAdditional, KindNotice}

// FinalField is the checkbox marking a liquidation (final) filing.
const FinalField = "dt_final"

// Exclusive reports whether SONO allows only one live filing of this kind
// per taxpayer, form and period (§4b duplicate rule).
func (k Kind) Exclusive() bool { return k == KindMain || k == KindRegular }

// isSet reads a radio or checkbox value.
func isSet(v string) bool { return v == "1" || v == "true" }

func readKind(f *Form) (Kind, error) {
	var found []Kind
	for _, k := range kinds {
		if v, ok := f.Field(string(k)); ok && isSet(v) {
			found = append(found, k)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fieldErr(ErrInvalidForm, "dt_main", "no form kind is set (one of dt_main, dt_regular, dt_additional, dt_notice)")
	default:
		return "", fieldErr(ErrInvalidForm, string(found[1]), "several form kinds are set: %v", found)
	}
}
