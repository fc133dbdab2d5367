// Package gateway is salyq's client of the e-government gateway: it sends
// SONO_FNO_SEND and SONO_FNO_GET_STATUS requests and turns every answer —
// or the lack of one — into an Outcome whose Class says what may happen
// next. The class is what keeps filings exactly-once: Ambiguous means the
// form may have been filed, so nobody resends it before asking SONO.
package gateway
