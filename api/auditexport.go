package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/projections"
)

// auditFormat is the answer GET /api/v1/audit gives for accept: "csv"
// (text/csv), "ndjson" (application/x-ndjson) or "json" (a page), the one
// named with the highest q; a type refused with q=0, or preferred less than
// application/json, is not chosen, nor one whose q cannot be read
// (qualities). A tie goes to CSV, then JSON lines, as when the header was
// only searched for their names; wildcards choose JSON.
func auditFormat(accept string) string {
	q := qualities(accept)
	csvQ, ndQ, jsonQ := q["text/csv"], q["application/x-ndjson"], q["application/json"]
	switch {
	case csvQ > 0 && csvQ >= ndQ && csvQ >= jsonQ:
		return "csv"
	case ndQ > 0 && ndQ >= jsonQ:
		return "ndjson"
	}
	return "json"
}

// StreamAudit writes every event matching f, read from the store up to its
// end when called, as CSV ("csv") or JSON lines ("ndjson"), with the
// headers and the trailers (X-Accredit-Export-Complete, X-Accredit-Rows)
// that tell a client whether it got everything. The web console's CSV
// export uses it too. The status is sent only once the store has answered
// the first read, so a store that cannot be read gives a 503 problem rather
// than a 200 with nothing in it; a failure after that ends the body early
// with X-Accredit-Export-Complete: false. A personal value that cannot be
// opened for now is such a failure: a row is never exported with
// pii.Unavailable in it.
func (rs *ReadSide) StreamAudit(ctx context.Context, w *echo.Response, f projections.AuditFilter, format string, log *slog.Logger) error {
	ctx, unreadable := pii.Strict(ctx)
	last, err := rs.Store.LastSeq(ctx)
	if err != nil {
		return domain.Wrap(domain.Unavailable, err, "event store unavailable")
	}
	cw := csv.NewWriter(w)
	enc := json.NewEncoder(w)
	start := func() {
		if format == "csv" {
			w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="accredit-audit.csv"`)
		} else {
			w.Header().Set(echo.HeaderContentType, "application/x-ndjson")
		}
		w.Header().Set("X-Accredit-Seq", strconv.FormatUint(last, 10))
		w.Header().Set("Trailer", "X-Accredit-Export-Complete, X-Accredit-Rows")
		w.WriteHeader(http.StatusOK)
		if format == "csv" {
			_ = cw.Write([]string{"seq", "index", "event_id", "occurred_at", "stream", "case_id", "type", "version", "actor_id", "actor_role", "data"})
		}
	}
	complete := func(ok bool, rows int) {
		w.Header().Set("X-Accredit-Export-Complete", strconv.FormatBool(ok))
		w.Header().Set("X-Accredit-Rows", strconv.Itoa(rows))
	}
	rows := 0
	err = rs.Store.Read(ctx, 0, last, func(cm eventstore.Commit) error {
		if !w.Committed {
			start()
		}
		for i, e := range cm.Events {
			entry := projections.NewAuditEntry(cm, i)
			if !f.Match(entry) {
				continue
			}
			var data any
			_ = json.Unmarshal(e.Data, &data)
			data = pii.RevealTree(ctx, rs.Vault, data)
			if err := unreadable(); err != nil {
				return err
			}
			if format == "csv" {
				b, _ := json.Marshal(data)
				_ = cw.Write([]string{strconv.FormatUint(entry.Seq, 10), strconv.Itoa(i), e.ID, e.OccurredAt.UTC().Format(time.RFC3339Nano),
					e.Stream, entry.CaseID, e.Type, strconv.FormatUint(e.Version, 10), e.Actor.ID, string(e.Actor.Role), string(b)})
			} else {
				_ = enc.Encode(auditRow{AuditEntry: entry, Data: data})
			}
			rows++
		}
		if rows%500 == 0 || cm.Seq >= last {
			cw.Flush()
			w.Flush()
		}
		return nil
	})
	if err != nil && !w.Committed {
		return domain.Wrap(domain.Unavailable, err, "event store unavailable")
	}
	if !w.Committed {
		start() // an empty store
	}
	cw.Flush()
	w.Flush()
	if err != nil {
		log.Warn("audit export ended early", "err", err, "rows", rows)
		complete(false, rows)
		return nil
	}
	complete(cw.Error() == nil, rows)
	return nil
}
