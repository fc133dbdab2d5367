package labels

import (
	"testing"

	"github.com/salyq/salyq/pkg/statusfsm"
)

// TestStatusLabels: every status of the lifecycle table has a Russian
// and a Kazakh label, SONO's Russian ones verbatim as SONO sends them.
func TestStatusLabels(t *testing.T) {
	sono := 0
	for _, in := range statusfsm.DefaultTable().Statuses() {
		l, ok := statusLabels[in.Name]
		if !ok || l.RU == "" || l.KK == "" {
			t.Errorf("%q: labels %+v", in.Name, l)
			continue
		}
		if in.Kind == statusfsm.KindSONO {
			sono++
			if l.RU != string(in.Name) || In(in.Name, "en") != string(in.Name) {
				t.Errorf("%q: Russian label %q is not SONO's name", in.Name, l.RU)
			}
		}
		if In(in.Name, "kk") != l.KK || In(in.Name, "ru") != l.RU {
			t.Errorf("%q: label does not follow the language", in.Name)
		}
	}
	if sono != 25 {
		t.Errorf("%d SONO statuses labelled, want 25", sono)
	}
	if got := In("Новый статус", "kk"); got != "Новый статус" {
		t.Errorf("an unknown status is shown as %q, want it verbatim", got)
	}
}
