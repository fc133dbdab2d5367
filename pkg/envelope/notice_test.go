package envelope

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestStatusNotices: notifications of a status answer are read in order
// with their type, number, date (any offset) and text; a notice that
// cannot be kept (no type, no number, no or a bad date) refuses the
// answer naming the field.
func TestStatusNotices(t *testing.T) {
	const head = `<fnoStatusResponse><requestId>r-1</requestId>`
	const tail = `</fnoStatusResponse>`
	notice := func(typ, num, date, text string) string {
		var b strings.Builder
		b.WriteString("<notification>")
		for _, kv := range [][2]string{{"type", typ}, {"number", num}, {"date", date}, {"text", text}} {
			if kv[1] != "-" {
				b.WriteString("<" + kv[0] + ">" + kv[1] + "</" + kv[0] + ">")
			}
		}
		b.WriteString("</notification>")
		return b.String()
	}
	at := time.Date(2025, 7, 15, 15, 0, 0, 0, time.FixedZone("", 5*3600))
	for _, tc := range []struct {
		name  string
		body  string
		want  []Notice
		field string // of the FieldError; "" for no error
	}{
		{name: "none", body: ``},
		{name: "empty notifications", body: `<notifications/>`},
		{name: "two, oldest first", body: `<notifications>` +
			notice("refusal", "6205-00017", "2025-07-15T15:00:00+05:00", "Не принята: строка 910.00.001") +
			notice(NoticeDeskAudit, " 6205-00018 ", "2025-07-15T10:30:00Z", "-") + `</notifications>`,
			want: []Notice{
				{Type: "refusal", Number: "6205-00017", Date: at, Text: "Не принята: строка 910.00.001"},
				{Type: NoticeDeskAudit, Number: "6205-00018", Date: at.Add(30 * time.Minute)},
			}},
		{name: "no type", body: `<notifications>` + notice("-", "1", "2025-07-15T15:00:00+05:00", "x") + `</notifications>`,
			field: "notifications/notification/type"},
		{name: "empty number", body: `<notifications>` + notice("refusal", " ", "2025-07-15T15:00:00+05:00", "x") + `</notifications>`,
			field: "notifications/notification/number"},
		{name: "no date", body: `<notifications>` + notice("refusal", "1", "-", "x") + `</notifications>`,
			field: "notifications/notification/date"},
		{name: "date without offset", body: `<notifications>` + notice("refusal", "1", "2025-07-15T15:00:00", "x") + `</notifications>`,
			field: "notifications/notification/date"},
		{name: "second malformed", body: `<notifications>` + notice("refusal", "1", "2025-07-15T15:00:00Z", "x") +
			notice("refusal", "-", "2025-07-15T15:00:00Z", "x") + `</notifications>`,
			field: "notifications/notification/number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := parseXML([]byte(head + tc.body + tail))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseStatusResponse(d.Root())
			if tc.field != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, ErrInvalidEnvelope) {
					t.Fatalf("err = %v, want a FieldError on %s", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Notices) != len(tc.want) {
				t.Fatalf("notices = %+v, want %+v", got.Notices, tc.want)
			}
			for i, w := range tc.want {
				g := got.Notices[i]
				if g.Type != w.Type || g.Number != w.Number || !g.Date.Equal(w.Date) || g.Text != w.Text {
					t.Fatalf("notice %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

// TestStatusNoticesRoundTrip: what the sandbox writes, the poller reads.
func TestStatusNoticesRoundTrip(t *testing.T) {
	want := &StatusResponse{RequestID: "r-2", Notices: []Notice{
		{Type: NoticeRefusal, Number: "N-1", Date: testNow, Text: "причина"},
		{Type: NoticeDeskAudit, Number: "N-2", Date: testNow.Add(time.Hour), Text: "нарушения"},
	}}
	resp := decodeResponse(t, encodeResponse(t, &Response{Info: ResponseInfo{Status: Status{Code: "SCSS001"}}, Data: want.Element()}))
	got, err := ParseStatusResponse(resp.Data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Notices) != 2 {
		t.Fatalf("notices = %+v", got.Notices)
	}
	for i, w := range want.Notices {
		if g := got.Notices[i]; g.Type != w.Type || g.Number != w.Number || !g.Date.Equal(w.Date) || g.Text != w.Text {
			t.Fatalf("notice %d = %+v, want %+v", i, g, w)
		}
	}
	if off := got.Notices[0].Date.Format("-07:00"); off != "+05:00" {
		t.Fatalf("notice date written with offset %s, want Almaty's +05:00", off)
	}
}
