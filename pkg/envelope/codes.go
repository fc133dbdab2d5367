package envelope

// Error codes of the working model. No public catalogue of gateway or SONO
// codes exists (docs/PROTOCOL.md §2): these are the codes salyq's sandbox
// answers and salyq's default classification table knows. Operators extend
// that table with the codes the real service turns out to send.

// Business refusals, in fnoReceipt or fnoStatusResponse errorInfo/code.
const (
	// CodeNotFound: SONO has no form for the request or message id.
	CodeNotFound = "NOT_FOUND"
	// CodeDuplicate: an earlier first/regular form of the same taxpayer,
	// code and period is live; the message names its request id.
	CodeDuplicate = "DUPLICATE"
	// CodeInvalidForm: the form breaks its format or template.
	CodeInvalidForm = "INVALID_FORM"
	// CodeUnknownForm: no template for the code and version.
	CodeUnknownForm = "UNKNOWN_FORM"
	// CodePeriodOutsideTemplate: the version is not in force for the period.
	CodePeriodOutsideTemplate = "PERIOD_OUTSIDE_TEMPLATE"
	// CodeFormSignature: the taxpayer's signature is missing or invalid.
	CodeFormSignature = "FORM_SIGNATURE"
	// CodeSubjectMismatch: the form is signed by someone other than its
	// taxpayer.
	CodeSubjectMismatch = "SUBJECT_MISMATCH"
	// CodeAccessDenied: a status request signed by someone other than the
	// form's taxpayer.
	CodeAccessDenied = "ACCESS_DENIED"
)

// Gateway faults, in the SOAP fault's ErrorInfo errorCode.
const (
	// FaultTechnical is the platform's "technical error, retry later"
	// (seed 003, table 3).
	FaultTechnical = "99999"
	// FaultRequest is a malformed request (seed 003: request error).
	FaultRequest = "00050"
	// FaultSignature is a bad, missing or untrusted WS-Security signature
	// (seed 003: signature errors, no retry).
	FaultSignature = "02001"
	// FaultCertificate is a transport certificate that may not sign:
	// AUTH-only, expired, revoked, or not chaining to a trust anchor.
	FaultCertificate = "02002"
	// FaultUnknownService is a serviceId the gateway does not route.
	FaultUnknownService = "91001"
	// FaultThrottled means the sender exceeded its request rate.
	FaultThrottled = "THROTTLED"
	// FaultMaintenance means the gateway is in a technological break.
	FaultMaintenance = "MAINTENANCE"
	// FaultTooLarge means the request body exceeds the size limit.
	FaultTooLarge = "TOO_LARGE"
)
