package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/labels"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// Report is a batch's report: its summary, one row per form and the
// totals per status.
type Report struct {
	Batch  Summary
	Rows   []Row
	Totals []Total
	// Made is when the report was made.
	Made time.Time
}

// Row is one form of a report.
type Row struct {
	ID string
	// Taxpayer is the IIN/BIN; Name the taxpayer's name on the form.
	Taxpayer, Name     string
	Form, Period, Kind string
	// Submitted is when salyq took the form, Filed when SONO did (it was
	// sent); zero: not (yet).
	Submitted, Filed time.Time
	// Registration is SONO's registration number, once given.
	Registration string
	Status       statusfsm.Status
	Label        labels.Label
	Final        bool
	// Reason is SONO's message of the last status, or why the form was
	// dead-lettered.
	Reason string
	// Notices are the tax office's notices about the form, oldest first:
	// a refusal, a desk audit's findings (which may come after the final
	// status), what the accountant's client must act on.
	Notices []board.Notice
}

// Total is how many forms of a report have a status.
type Total struct {
	Status statusfsm.Status
	Label  labels.Label
	Final  bool
	Count  int
}

// Build makes the report of batch id from its views (Views), rows by
// taxpayer, form and period; ErrNoBatch if there are none.
func Build(id string, views []board.View, t *statusfsm.Table, now time.Time) (Report, error) {
	if len(views) == 0 {
		return Report{}, fmt.Errorf("report: batch %s: %w", id, ErrNoBatch)
	}
	r := Report{Batch: summarize(id, views, t), Made: now}
	views = slices.Clone(views)
	Order(views)
	counts := map[statusfsm.Status]*Total{}
	for _, v := range views {
		r.Rows = append(r.Rows, Row{ID: v.ID, Taxpayer: v.Taxpayer, Name: v.Name, Form: v.Form, Period: v.Period, Kind: v.Kind,
			Submitted: submitted(v), Filed: v.Filed, Registration: v.Registration,
			Status: v.Status, Label: labels.Of(v.Status), Final: v.Terminal, Reason: v.Reason, Notices: v.Notices})
		c := counts[v.Status]
		if c == nil {
			c = &Total{Status: v.Status, Label: labels.Of(v.Status), Final: v.Terminal}
			counts[v.Status] = c
		}
		c.Count++
	}
	// Totals in the lifecycle table's order, statuses it does not know
	// last.
	for _, in := range t.Statuses() {
		if c := counts[in.Name]; c != nil {
			r.Totals = append(r.Totals, *c)
			delete(counts, in.Name)
		}
	}
	rest := make([]Total, 0, len(counts))
	for _, c := range counts {
		rest = append(rest, *c)
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].Status < rest[j].Status })
	r.Totals = append(r.Totals, rest...)
	return r, nil
}

// TimeLayout is how reports write times: Astana time (UTC+5, the time
// of the tax office's papers), to the second.
const TimeLayout = "2006-01-02 15:04:05"

// astana is t in Astana time, empty for the zero time.
func astana(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(envelope.Almaty()).Format(TimeLayout)
}

// Column is one column of the forms table: its header, in Russian with
// the English in brackets, and its value.
type Column struct {
	Header string
	Value  func(Row) string
}

// Columns are the forms table's columns, the same in every format.
var Columns = []Column{
	{"ИИН/БИН (IIN/BIN)", func(r Row) string { return r.Taxpayer }},
	{"Наименование (Name)", func(r Row) string { return r.Name }},
	{"Форма (Form)", func(r Row) string { return r.Form }},
	{"Период (Period)", func(r Row) string { return r.Period }},
	{"Вид (Kind)", func(r Row) string { return r.Kind }},
	{"Подана (Submitted, UTC+5)", func(r Row) string { return astana(r.Submitted) }},
	{"Отправлена в СОНО (Filed, UTC+5)", func(r Row) string { return astana(r.Filed) }},
	{"Рег. номер (Registration)", func(r Row) string { return r.Registration }},
	{"Статус (Status)", func(r Row) string { return r.Label.RU }},
	{"Мәртебе (Status, kk)", func(r Row) string { return r.Label.KK }},
	{"Итоговый (Final)", func(r Row) string { return yesNo(r.Final) }},
	{"Причина (Reason)", func(r Row) string { return r.Reason }},
	{"Уведомления (Notices, UTC+5)", func(r Row) string { return notices(r.Notices) }},
	{"ID", func(r Row) string { return r.ID }},
}

// notices is the notices of a form, one a line: number, date and text.
func notices(ns []board.Notice) string {
	lines := make([]string, len(ns))
	for i, n := range ns {
		lines[i] = fmt.Sprintf("%s (%s): %s", n.Number, astana(n.At), n.Text)
	}
	return strings.Join(lines, "\n")
}

// TotalColumns are the totals table's headers.
var TotalColumns = []string{"Статус (Status)", "Мәртебе (Status, kk)", "Итоговый (Final)", "Форм (Forms)"}

// totalCells is a total as the totals table's cells.
func totalCells(t Total) []string {
	return []string{t.Label.RU, t.Label.KK, yesNo(t.Final), fmt.Sprint(t.Count)}
}

func yesNo(b bool) string {
	if b {
		return "да"
	}
	return "нет"
}

// Order sorts views as a report lists its forms: by taxpayer, form,
// period, then id.
func Order(views []board.View) {
	sort.Slice(views, func(i, j int) bool {
		a, b := views[i], views[j]
		switch {
		case a.Taxpayer != b.Taxpayer:
			return a.Taxpayer < b.Taxpayer
		case a.Form != b.Form:
			return a.Form < b.Form
		case a.Period != b.Period:
			return a.Period < b.Period
		}
		return a.ID < b.ID
	})
}
