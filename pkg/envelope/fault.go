package envelope

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// ErrFault is wrapped by every FaultError.
var ErrFault = errors.New("SOAP fault")

// ErrorInfo is the gateway's error description (common/v10 ErrorInfo),
// carried in a SOAP fault's detail. Codes are kept raw: no public catalogue
// exists, so classification is a table the caller owns.
type ErrorInfo struct {
	Code      string
	Message   string
	Data      string
	Date      time.Time
	Sub       *ErrorInfo
	SessionID string
}

// Codes returns the code and every sub-error's code, outermost first.
func (e *ErrorInfo) Codes() []string {
	var out []string
	for cur := e; cur != nil; cur = cur.Sub {
		out = append(out, cur.Code)
	}
	return out
}

// FaultError is a SOAP fault answered instead of a response.
type FaultError struct {
	FaultCode   string
	FaultString string
	// Info is the SendMessageFault1_SendMessageFault detail, if present.
	Info *ErrorInfo
}

func (e *FaultError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "SOAP fault %s: %s", e.FaultCode, e.FaultString)
	for cur := e.Info; cur != nil; cur = cur.Sub {
		fmt.Fprintf(&b, " [%s: %s]", cur.Code, cur.Message)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrFault) hold.
func (e *FaultError) Unwrap() error { return ErrFault }

const faultDetailTag = "SendMessageFault1_SendMessageFault"

func parseFault(el *etree.Element) error {
	fe := &FaultError{}
	fe.FaultCode, _ = childText(el, "faultcode")
	fe.FaultString, _ = childText(el, "faultstring")
	if detail := child(el, "detail"); detail != nil {
		for _, d := range detail.ChildElements() {
			if d.Tag == faultDetailTag {
				fe.Info = parseErrorInfo(d, 0)
				break
			}
		}
	}
	return fe
}

// maxSubErrors bounds the subError recursion a hostile answer could nest.
const maxSubErrors = 16

func parseErrorInfo(el *etree.Element, depth int) *ErrorInfo {
	info := &ErrorInfo{}
	info.Code, _ = childText(el, "errorCode")
	info.Message, _ = childText(el, "errorMessage")
	info.Data, _ = childText(el, "errorData")
	info.SessionID, _ = childText(el, "sessionId")
	if d, ok := childText(el, "errorDate"); ok {
		info.Date, _ = time.Parse(time.RFC3339Nano, d)
	}
	if sub := child(el, "subError"); sub != nil && depth < maxSubErrors {
		info.Sub = parseErrorInfo(sub, depth+1)
	}
	return info
}

func writeErrorInfo(parent *etree.Element, info *ErrorInfo) {
	addText(parent, "errorCode", info.Code)
	addText(parent, "errorMessage", info.Message)
	addOptional(parent, "errorData", info.Data)
	addText(parent, "errorDate", AlmatyTime(info.Date))
	if info.Sub != nil {
		writeErrorInfo(parent.CreateElement("subError"), info.Sub)
	}
	addOptional(parent, "sessionId", info.SessionID)
}

// buildFault writes a SOAP 1.1 fault whose detail carries info.
func buildFault(faultCode, faultString string, info *ErrorInfo) (*etree.Document, *etree.Element) {
	doc, header, body := newSOAP()
	f := body.CreateElement("soap:Fault")
	addText(f, "faultcode", faultCode)
	addText(f, "faultstring", faultString)
	if info != nil {
		d := f.CreateElement("detail").CreateElement("sc:" + faultDetailTag)
		d.CreateAttr("xmlns:sc", NamespaceSyncChannel)
		writeErrorInfo(d, info)
	}
	return doc, header
}
