package accreditation

import (
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// PaymentStatus is how the office settled the fee of a case.
type PaymentStatus string

// The ways a fee is settled.
const (
	PaymentPaid   PaymentStatus = "paid"   // with the payment's reference
	PaymentWaived PaymentStatus = "waived" // with the reason
)

// Payment is the fee of a case as the office recorded it.
type Payment struct {
	Status    PaymentStatus `json:"status"`
	AmountEUR float64       `json:"amount_eur"` // the fee that was due
	Reference string        `json:"reference,omitempty"`
	Reason    pii.Sealed    `json:"reason,omitzero"`
	At        time.Time     `json:"at"`
	By        string        `json:"by"`
}

// PaymentInput is the office's record of the fee: paid with its reference
// (the bank's, an invoice number, a payment provider's id) or waived with
// a reason.
type PaymentInput struct {
	Status    PaymentStatus
	Reference string
	Reason    pii.Sealed
}

// PaymentRecorded: the office recorded the fee as paid or waived; the case
// goes on to screening.
type PaymentRecorded struct {
	Status    PaymentStatus `json:"status"`
	AmountEUR float64       `json:"amount_eur"`
	Reference string        `json:"reference,omitempty"`
	Reason    pii.Sealed    `json:"reason,omitzero"`
}

// RecordPayment is the office recording the fee of a case that awaits it
// as paid (Reference required) or waived (Reason required). A payment
// provider would call it too, from its webhook, as an office actor.
// Errors: NotFound, Forbidden, Conflict (not awaiting payment), Invalid.
func (c *Case) RecordPayment(actor domain.Actor, now time.Time, in PaymentInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionRecordPayment, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	ref := strings.TrimSpace(in.Reference)
	switch in.Status {
	case PaymentPaid:
		if ref == "" {
			f.add("reference", "required: the payment's reference")
		} else if e := limits.Short.Text("reference", ref); e != nil {
			f = append(f, *e)
		} else if e := limits.OneLine("reference", ref); e != nil {
			// A reference is matched against bank statements and shown
			// in lists: a line break or a bidi override would forge it.
			f = append(f, *e)
		}
		if !in.Reason.IsZero() {
			f.add("reason", "only when the fee is waived")
		}
	case PaymentWaived:
		f.required("reason", in.Reason)
		if ref != "" {
			f.add("reference", "only when the fee is paid")
		}
	default:
		f.add("status", "must be paid or waived")
	}
	if err := f.err(ActionRecordPayment); err != nil {
		return nil, err
	}
	return one(PaymentRecorded{Status: in.Status, AmountEUR: c.Fee, Reference: ref, Reason: in.Reason}), nil
}

func (c *Case) onPaymentRecorded(e eventstore.Event, d PaymentRecorded) {
	c.Payment = &Payment{Status: d.Status, AmountEUR: d.AmountEUR, Reference: d.Reference, Reason: d.Reason, At: e.OccurredAt, By: e.Actor.ID}
	c.State = StateSubmitted
}
