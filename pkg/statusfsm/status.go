package statusfsm

// Status is the state of a form: either one of the product's own delivery
// states (StateQueued …) or a SONO status exactly as SONO sends it, Russian
// text included. A Status that is not in the Table is still a valid value:
// it is an unknown SONO status, kept verbatim.
type Status string

// The product's own states. Their rows in the table may be edited, but the
// store relies on these four names existing.
const (
	// StateQueued means intake accepted the form.
	StateQueued Status = "queued"
	// StateSending means a worker is delivering the form to the gateway.
	StateSending Status = "sending"
	// StateSent means the gateway acknowledged the form and the request id is known.
	StateSent Status = "sent"
	// StateFailedDelivery means the form was dead-lettered; the entry's message holds the reason.
	StateFailedDelivery Status = "failed-delivery"
)

// Kind tells who defines a status.
type Kind string

// Kinds of status.
const (
	// KindProduct marks the product's own delivery states.
	KindProduct Kind = "product"
	// KindSONO marks statuses reported by SONO.
	KindSONO Kind = "sono"
	// KindUnknown marks a status not in the table; it is treated as a SONO
	// status that cannot be ordered.
	KindUnknown Kind = "unknown"
)

// Phase groups statuses; phases are ordered by rank in the Table.
type Phase string

// PhaseRejected is the phase of SONO's refusals of a form; callers that
// report failures rely on its name, so a table must have it.
const PhaseRejected Phase = "rejected"

// Info is one row of the status table.
type Info struct {
	// Number is SONO's number for the status (1..25), 0 for product states.
	Number int `json:"number,omitempty"`
	// Name is the status verbatim.
	Name Status `json:"name"`
	// Kind says whether the product or SONO defines the status.
	Kind Kind `json:"kind"`
	// Phase is the phase the status belongs to.
	Phase Phase `json:"phase"`
	// Terminal reports that the form's life ends here and polling stops.
	Terminal bool `json:"terminal"`
	// Outcome is the text shown to users for the final result.
	Outcome string `json:"outcome"`
	// About is a free-text note for operators.
	About string `json:"about,omitempty"`
	// Unknown reports that the status is not in the table.
	Unknown bool `json:"-"`
}
