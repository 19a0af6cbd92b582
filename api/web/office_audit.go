package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/credential"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/rulesets"
	"github.com/emcc/accredit/projections"
)

// ---- audit ----

// auditFilter reads the audit filters of the query; a bad date is a field
// error.
func auditFilter(x *ctx, p *page) projections.AuditFilter {
	f := projections.AuditFilter{CaseID: strings.TrimSpace(x.QueryParam("case_id")), ActorID: strings.TrimSpace(x.QueryParam("actor_id")),
		Type: strings.TrimSpace(x.QueryParam("type"))}
	for _, k := range []string{"from", "to"} {
		v := strings.TrimSpace(x.QueryParam(k))
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			if p != nil {
				p.Errors[k] = x.T("form.date")
			}
			continue
		}
		if k == "from" {
			f.From = t
		} else {
			f.To = t.AddDate(0, 0, 1) // the whole day
		}
	}
	return f
}

// auditRow is one event of the history with its payload.
type auditRow struct {
	projections.AuditEntry
	Name string
	Data string
}

// eventTypes is every type of event the audit history holds, each named in
// the page's language and offered by the filter: one left out showed as
// stored ("accounts.email_reserved") on the Dutch page as on the English.
func eventTypes() []string {
	var t []string
	for _, e := range accreditation.EventTypes() {
		t = append(t, string(e))
	}
	t = append(t, accounts.EventUserRegistered, accounts.EventProfileSet, accounts.EventUserDisabled, accounts.EventUserEnabled, accounts.EventPasswordChanged, accounts.EventUserErased, accounts.EventErasureCompleted, accounts.EventSessionsEnded,
		accounts.EventResetLinkIssued, accounts.EventEmailChanged, accounts.EventEmailReserved, accounts.EventEmailReleased, rulesets.EventPublished, credential.EventIndexAllocated)
	slices.Sort(t)
	return t
}

func (a *app) audit(x *ctx) error {
	p := x.newPage("audit.title", nil)
	f := auditFilter(x, p)
	// Newest first: the office looks at what just happened.
	var cur projections.Cursor
	if v := x.QueryParam("before"); v != "" {
		// As the API reads a cursor: a spoilt one was read as seq 0 (the
		// newest page) or as some other place, with nothing said.
		s, i, ok := strings.Cut(v, ".")
		seq, err1 := strconv.ParseUint(s, 10, 64)
		idx, err2 := strconv.ParseUint(i, 10, 31)
		if ok && err1 == nil && err2 == nil {
			cur = projections.Cursor{Seq: seq, Index: int(idx)}
		} else {
			p.Spoilt = x.T("pager.spoilt")
		}
	}
	const limit = 50
	page, next, err := a.d.Reads.Audit().PageNewest(x.Request().Context(), f, cur, limit)
	if err != nil {
		return domain.Wrap(domain.Unavailable, err, "event store unavailable")
	}
	rows := make([]auditRow, 0, len(page))
	for _, e := range page {
		r := auditRow{AuditEntry: e, Name: a.userName(x, e.Actor.ID)}
		var data any
		_ = json.Unmarshal(e.Data, &data)
		b, _ := json.MarshalIndent(pii.RevealTree(x.Request().Context(), a.d.Reads.Vault, data), "", "  ")
		r.Data = string(b)
		rows = append(rows, r)
	}
	q := x.QueryParams()
	q.Del("before")
	d := map[string]any{"Rows": rows, "Types": eventTypes(), "Query": q.Encode()}
	if next != nil {
		q.Set("before", fmt.Sprintf("%d.%d", next.Seq, next.Index))
		d["Next"] = "/office/audit?" + q.Encode()
	}
	if cur.Seq > 0 {
		d["First"] = "/office/audit?" + d["Query"].(string)
	}
	for _, k := range []string{"case_id", "actor_id", "type", "from", "to"} {
		p.Form.Set(k, x.QueryParam(k))
	}
	p.D = d
	status := 0
	if len(p.Errors) > 0 {
		status = http.StatusBadRequest
	}
	return x.render(status, "audit", p)
}

// auditCSV streams every matching event as CSV, the same rows and trailers
// as GET /api/v1/audit with Accept: text/csv (the API needs a bearer token,
// the browser has a cookie).
func (a *app) auditCSV(x *ctx) error {
	return a.d.Reads.StreamAudit(x.Request().Context(), x.Response(), auditFilter(x, nil), "csv", a.d.Log)
}
