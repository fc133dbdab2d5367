package sonosim

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/salyq/salyq/pkg/envelope"
)

// Statuses the sandbox reports, verbatim from docs/STATUSES.md.
const (
	StatusSent            = "Отправлена"
	StatusDelivered       = "Доставлена"
	StatusReceived        = "Принята, но не разобрана"
	StatusProcessing      = "Обрабатывается на сервере"
	StatusAccepted        = "Принята"
	StatusProcessed       = "Обработана"
	StatusAwaitingPosting = "Ожидает разноски"
	StatusPosted          = "Разнесена"
	StatusPostingError    = "Ошибка разноски"
	StatusNotAccepted     = "Не принята"
)

// freeingStatuses end a filing in a way that frees its duplicate slot
// (docs/PROTOCOL.md §4b: rejected or withdrawn).
var freeingStatuses = map[string]bool{
	StatusNotAccepted: true, "Отклонена": true, "Отказ в выдаче патента": true,
	"Отозвана": true, "Отозвана без сторно": true, "Сторнирована": true,
}

// Outcome names a scenario by how the filing ends.
type Outcome string

// The scenarios.
const (
	OutcomePosted       Outcome = "posted"
	OutcomeProcessed    Outcome = "processed"
	OutcomeRejected     Outcome = "rejected"
	OutcomePostingError Outcome = "posting-error"
)

// scenarioSteps are the status sequences of each outcome. The common
// prefix is SONO's transport and intake.
var scenarioSteps = map[Outcome][]string{
	OutcomePosted:       {StatusSent, StatusDelivered, StatusReceived, StatusProcessing, StatusAccepted, StatusAwaitingPosting, StatusPosted},
	OutcomeProcessed:    {StatusSent, StatusDelivered, StatusReceived, StatusProcessing, StatusProcessed},
	OutcomeRejected:     {StatusSent, StatusDelivered, StatusReceived, StatusProcessing, StatusNotAccepted},
	OutcomePostingError: {StatusSent, StatusDelivered, StatusReceived, StatusProcessing, StatusAccepted, StatusPostingError},
}

// registeredAt is the step index from which a filing has a registration
// number: SONO registers a form when it takes it in.
const registeredAt = 2

// rejectionReasons are the messages of a «Не принята» status.
var rejectionReasons = []string{
	"Ошибка форматно-логического контроля: строка 910.00.001",
	"Ошибка форматно-логического контроля: строка 910.00.004",
	"Налогоплательщик не зарегистрирован в качестве плательщика по данному виду налога",
	"Не соответствует период представления формы",
}

// postingErrorMessage explains an «Ошибка разноски».
const postingErrorMessage = "Не найден лицевой счёт для разноски"

// Notices the sandbox issues (docs/PROTOCOL.md §4b): a refusal with the
// reason of every «Не принята», and a notice of violations found by the
// desk audit of an accepted form for two forms in deskAuditOneIn: one at
// the step after «Принята», the other lateAuditSteps after the final
// status, as a real desk audit ends weeks after SONO took the form, when
// a sender that stopped polling at the final status no longer asks.
const (
	taxOffice      = "6205" // the tax office numbering the notices
	deskAuditOneIn = 4
	lateAuditSteps = 4
)

// deskAuditFindings are the texts of a desk audit notice.
var deskAuditFindings = []string{
	"По результатам камеральной проверки выявлены нарушения: расхождение суммы дохода (строка 910.00.001) со сведениями третьих лиц",
	"По результатам камеральной проверки выявлены нарушения: социальные платежи (строка 910.00.012) исчислены не полностью",
}

// Weights are the relative frequencies of the outcomes.
type Weights struct {
	Posted, Processed, Rejected, PostingError int
}

// DefaultWeights mostly post, with some of every other ending.
var DefaultWeights = Weights{Posted: 70, Processed: 10, Rejected: 10, PostingError: 10}

func (w Weights) total() int { return w.Posted + w.Processed + w.Rejected + w.PostingError }

func (w Weights) validate() error {
	if w.Posted < 0 || w.Processed < 0 || w.Rejected < 0 || w.PostingError < 0 {
		return configErr("Weights", "negative weight")
	}
	return nil
}

// ParseWeights reads "posted=70,processed=10,rejected=10,posting-error=10";
// omitted outcomes weigh 0.
func ParseWeights(s string) (Weights, error) {
	var w Weights
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if !ok || err != nil || n < 0 {
			return w, configErr("weights", "%q: want outcome=non-negative integer", part)
		}
		switch Outcome(strings.TrimSpace(name)) {
		case OutcomePosted:
			w.Posted = n
		case OutcomeProcessed:
			w.Processed = n
		case OutcomeRejected:
			w.Rejected = n
		case OutcomePostingError:
			w.PostingError = n
		default:
			return w, configErr("weights", "unknown outcome %q", name)
		}
	}
	if w.total() == 0 {
		return w, configErr("weights", "all weights are zero")
	}
	return w, nil
}

// String renders the weights in the form ParseWeights reads.
func (w Weights) String() string {
	return fmt.Sprintf("posted=%d,processed=%d,rejected=%d,posting-error=%d", w.Posted, w.Processed, w.Rejected, w.PostingError)
}

// scenario is the chosen course of one filing.
type scenario struct {
	outcome Outcome
	steps   []string
	// message is attached to the final status.
	message string
	// notices are issued at their steps; their dates are the steps' times.
	notices []scheduledNotice
}

// scheduledNotice is a notice issued when a filing reaches step (an index
// into the steps).
type scheduledNotice struct {
	step   int
	notice envelope.Notice
}

// pickScenario chooses deterministically from (seed, requestID), so the
// course of a filing does not depend on the order requests arrive in.
func pickScenario(seed uint64, requestID string, w Weights) scenario {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(requestID))
	sum := h.Sum64()
	r := int(sum % uint64(w.total()))
	var out Outcome
	switch {
	case r < w.Posted:
		out = OutcomePosted
	case r < w.Posted+w.Processed:
		out = OutcomeProcessed
	case r < w.Posted+w.Processed+w.Rejected:
		out = OutcomeRejected
	default:
		out = OutcomePostingError
	}
	sc := scenario{outcome: out, steps: scenarioSteps[out]}
	switch out {
	case OutcomeRejected:
		sc.message = rejectionReasons[(sum>>32)%uint64(len(rejectionReasons))]
	case OutcomePostingError:
		sc.message = postingErrorMessage
	}
	// The notice number comes from the same hash: a filing's notice keeps
	// its number however often it is asked for.
	number := fmt.Sprintf("%s-%07d", taxOffice, (sum>>20)%10_000_000)
	switch {
	case out == OutcomeRejected:
		sc.notices = append(sc.notices, scheduledNotice{step: len(sc.steps) - 1,
			notice: envelope.Notice{Type: envelope.NoticeRefusal, Number: number, Text: "Отказ в приёме налоговой отчётности: " + sc.message}})
	case (sum>>8)%deskAuditOneIn <= 1:
		acc := slices.Index(sc.steps, StatusAccepted)
		if acc < 0 || acc+1 >= len(sc.steps) {
			break
		}
		at := acc + 1
		if (sum>>8)%deskAuditOneIn == 1 {
			at = len(sc.steps) - 1 + lateAuditSteps
		}
		sc.notices = append(sc.notices, scheduledNotice{step: at,
			notice: envelope.Notice{Type: envelope.NoticeDeskAudit, Number: number, Text: deskAuditFindings[(sum>>48)%uint64(len(deskAuditFindings))]}})
	}
	return sc
}

// reached is how many statuses of the scenario a filing made at filedAt
// has reached at now: one at filing, one more per step.
func (sc scenario) reached(filedAt, now time.Time, step time.Duration) int {
	n := 1
	if el := now.Sub(filedAt); el > 0 {
		n += int(el / step)
	}
	return min(n, len(sc.steps))
}

// history is the status history at now, oldest first.
func (sc scenario) history(filedAt, now time.Time, step time.Duration) []envelope.HistoryEntry {
	n := sc.reached(filedAt, now, step)
	out := make([]envelope.HistoryEntry, n)
	for i := range n {
		out[i] = envelope.HistoryEntry{Status: sc.steps[i], Date: filedAt.Add(time.Duration(i) * step)}
		if i == len(sc.steps)-1 {
			out[i].Message = sc.message
		}
	}
	return out
}

// issued is the notices issued by now, oldest first: those of the
// statuses reached, and a late desk audit's once its steps past the
// final status have passed.
func (sc scenario) issued(filedAt, now time.Time, step time.Duration) []envelope.Notice {
	n := 1
	if el := now.Sub(filedAt); el > 0 {
		n += int(el / step)
	}
	var out []envelope.Notice
	for _, s := range sc.notices {
		if s.step < n {
			nt := s.notice
			nt.Date = filedAt.Add(time.Duration(s.step) * step)
			out = append(out, nt)
		}
	}
	return out
}

// current is the latest status reached at now.
func (sc scenario) current(filedAt, now time.Time, step time.Duration) string {
	return sc.steps[sc.reached(filedAt, now, step)-1]
}
