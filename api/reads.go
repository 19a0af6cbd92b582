package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/search"
)

// ReadSide is what the read endpoints need.
type ReadSide struct {
	Runner *projections.Runner
	Store  eventstore.Store
	Vault  *pii.Vault
	SLA    time.Duration
	// Search finds cases and users by name, email, programme or id.
	Search *search.Index
	// ReadWait bounds read-your-writes (see Wait); 0 is DefaultReadWait.
	ReadWait time.Duration
}

// Audit pages the event history from the store.
func (rs *ReadSide) Audit() projections.Audit { return projections.Audit{Store: rs.Store} }

// read waits for ?min_seq, then runs fn on the read models; the answer
// carries the position it reflects (X-Accredit-Seq).
func (s *Server) read(c echo.Context, fn func(m *projections.Models, pos uint64) error) error {
	if err := s.waitMinSeq(c); err != nil {
		return err
	}
	// The answer is made while the read models are held and sent after
	// (heldAnswer): a slow client must not hold them.
	res := c.Response()
	w := res.Writer
	held := holdAnswer(w)
	res.Writer = held
	defer func() {
		if res.Writer == held {
			// fn panicked: what it wrote is dropped, and the recoverer's
			// 500 goes to the client.
			res.Writer, res.Committed, res.Size = w, false, 0
			held.drop()
		}
	}()
	var err error
	s.deps.Reads.Runner.Read(func(set *projections.Set) {
		res.Header().Set("X-Accredit-Seq", strconv.FormatUint(set.Position(), 10))
		err = fn(set.Typed(), set.Position())
	})
	res.Writer = w
	if sendErr := held.send(); err == nil {
		err = sendErr
	}
	return err
}

func badQuery(field, reason string) error {
	return domain.InvalidFields("bad query parameter", domain.FieldError{Field: field, Reason: reason})
}

func queryEnum(c echo.Context, name string, allowed []string) (string, error) {
	v := c.QueryParam(name)
	if v != "" && !slices.Contains(allowed, v) {
		return "", badQuery(name, "one of "+strings.Join(allowed, ", "))
	}
	return v, nil
}

var (
	schemes = []string{"EIA", "EQA"}
	levels  = []string{"foundation", "practitioner", "senior_practitioner", "master_practitioner"}
)

func stateNames() []string {
	var out []string
	for _, st := range accreditation.States {
		out = append(out, string(st))
	}
	return out
}

func queryTime(c echo.Context, name string) (time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, badQuery(name, "a date (2026-01-31) or time (2026-01-31T09:00:00Z)")
}

func (s *Server) queue(c echo.Context) error {
	u := caller(c)
	now := s.deps.Now()
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	if u.Role == domain.RoleAssessor {
		// Two lists, each paged by its own cursor: the offset, ignored, gave
		// the first page again and no way past it.
		if offset > 0 {
			return badQuery("offset", "the office's queue only: follow next_cursor")
		}
		var at projections.AssessorCursors
		for _, q := range []struct {
			name, next string
			cur        *projections.QueueCursor
		}{{"cursor", "next_cursor", &at.Available}, {"mine_cursor", "mine_next_cursor", &at.Mine}} {
			if v := c.QueryParam(q.name); v != "" {
				var ok bool
				if *q.cur, ok = projections.ParseFinishedCursor(v); !ok {
					return badQuery(q.name, "the "+q.next+" of the previous page")
				}
			}
		}
		p, err := s.deps.Cases.AssessorProfile(u.ID)
		if err != nil {
			return err
		}
		return s.read(c, func(m *projections.Models, pos uint64) error {
			availItems, mineItems := queueItems.Get().(*[]projections.QueueItem), queueItems.Get().(*[]projections.QueueItem)
			defer putQueueItems(availItems)
			defer putQueueItems(mineItems)
			avail, mine := m.Cases.AssessorQueueIn(*availItems, *mineItems, p, now, s.deps.Reads.SLA, limit, at)
			*availItems, *mineItems = avail.Items, mine.Items
			days := int(s.deps.Reads.SLA.Hours() / 24)
			// In the names' order, as encoding/json writes the map.
			fields := []queueField{itemsField("available", avail.Items), boolField("has_more", avail.HasMore),
				itemsField("mine", mine.Items), boolField("mine_has_more", mine.HasMore)}
			if mine.Next != nil {
				fields = append(fields, stringField("mine_next_cursor", mine.Next.String()))
			}
			if avail.Next != nil {
				fields = append(fields, stringField("next_cursor", avail.Next.String()))
			}
			fields = append(fields, uintField("seq", pos), intField("service_level_days", days))
			return writeQueue(c, fields, func() map[string]any {
				out := map[string]any{"available": avail.Items, "has_more": avail.HasMore, "mine": mine.Items, "mine_has_more": mine.HasMore, "seq": pos,
					"service_level_days": days}
				if avail.Next != nil {
					out["next_cursor"] = avail.Next.String()
				}
				if mine.Next != nil {
					out["mine_next_cursor"] = mine.Next.String()
				}
				return out
			})
		})
	}
	var f projections.QueueFilter
	if f.Scheme, err = queryEnum(c, "scheme", schemes); err != nil {
		return err
	}
	if f.Level, err = queryEnum(c, "level", levels); err != nil {
		return err
	}
	if f.State, err = queryEnum(c, "state", stateNames()); err != nil {
		return err
	}
	f.Language, f.AssessorID = c.QueryParam("language"), c.QueryParam("assessor_id")
	if f.Language != "" && !domain.AssignedLanguage(f.Language) {
		return badQuery("language", "a two-letter ISO 639-1 code, such as en or nl")
	}
	if f.AssessorID != "" && !domain.ValidULID(f.AssessorID) {
		return badQuery("assessor_id", "a user id")
	}
	if o := c.QueryParam("overdue"); o != "" {
		b, err := strconv.ParseBool(o)
		if err != nil {
			return badQuery("overdue", "true or false")
		}
		f.Overdue = &b
	}
	if v := c.QueryParam("cursor"); v != "" {
		var ok bool
		if f.After, ok = projections.ParseFinishedCursor(v); !ok {
			return badQuery("cursor", "the next_cursor of the previous page")
		}
		if offset > 0 {
			return badQuery("offset", "not with cursor")
		}
	}
	return s.read(c, func(m *projections.Models, pos uint64) error {
		items := queueItems.Get().(*[]projections.QueueItem)
		defer putQueueItems(items)
		page := m.Cases.OfficeQueueIn(*items, f, now, s.deps.Reads.SLA, offset, limit)
		*items = page.Items
		days := int(s.deps.Reads.SLA.Hours() / 24)
		fields := []queueField{itemsField("cases", page.Items), boolField("has_more", page.HasMore)}
		if page.Next != nil {
			fields = append(fields, stringField("next_cursor", page.Next.String()))
		}
		fields = append(fields, uintField("seq", pos), intField("service_level_days", days))
		return writeQueue(c, fields, func() map[string]any {
			out := map[string]any{"cases": page.Items, "has_more": page.HasMore, "seq": pos, "service_level_days": days}
			if page.Next != nil {
				out["next_cursor"] = page.Next.String()
			}
			return out
		})
	})
}

// registerPages holds the buffers the register's pages are made in before
// they are copied into the read's held answer (at most 500 rows, about
// 150 KB).
var registerPages = sync.Pool{New: func() any { return new([]byte) }}

// queueItems holds the arrays the queues' pages are made in: a page is
// written out within its read and kept by nothing, and making it afresh
// was most of what a queue read allocated (16 of 21 KB for an assessor's).
var queueItems = sync.Pool{New: func() any { return new([]projections.QueueItem) }}

// putQueueItems empties items (so the pool holds no case's data) and gives
// its array back to the pool.
func putQueueItems(items *[]projections.QueueItem) {
	clear(*items)
	*items = (*items)[:0]
	queueItems.Put(items)
}

// pageParams reads ?offset (0) and ?limit (50, at most 500).
func pageParams(c echo.Context) (offset, limit int, err error) {
	limit = 50
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			return 0, 0, badQuery("limit", "1 to 500")
		}
	}
	if v := c.QueryParam("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, badQuery("offset", "0 or more")
		}
	}
	return offset, limit, nil
}

func (s *Server) decisions(c echo.Context) error {
	var f projections.DecisionFilter
	var err error
	if f.Scheme, err = queryEnum(c, "scheme", schemes); err != nil {
		return err
	}
	if f.Level, err = queryEnum(c, "level", levels); err != nil {
		return err
	}
	if f.Outcome, err = queryEnum(c, "outcome", []string{"awarded", "not_awarded"}); err != nil {
		return err
	}
	if f.From, err = queryTime(c, "from"); err != nil {
		return err
	}
	if f.To, err = queryTime(c, "to"); err != nil {
		return err
	}
	f.AssessorID = c.QueryParam("assessor_id")
	if f.AssessorID != "" && !domain.ValidULID(f.AssessorID) {
		return badQuery("assessor_id", "a user id")
	}
	limit := 100
	if l := c.QueryParam("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 1000 {
			return badQuery("limit", "1 to 1000")
		}
	}
	var after *projections.DecisionCursor
	if v := c.QueryParam("cursor"); v != "" {
		cur, err := projections.ParseDecisionCursor(v)
		if err != nil {
			return badQuery("cursor", "the next_cursor of the previous page")
		}
		after = &cur
	}
	// A page at a time: every decision at once cost each request all the
	// decisions ever taken, their rationales opened one by one.
	var page projections.DecisionPage
	var next *projections.DecisionCursor
	var pos uint64
	if err := s.read(c, func(m *projections.Models, p uint64) error {
		page, next = m.Decisions.Pick(f, after, limit)
		pos = p
		return nil
	}); err != nil {
		return err
	}
	list := page.Records() // decoded with no lock held
	rows, err := s.deps.Cases.Reveal(c.Request().Context(), list)
	if err != nil {
		return err
	}
	out := map[string]any{"decisions": rows, "seq": pos}
	if next != nil {
		out["next_cursor"] = next.String()
	}
	return c.JSON(http.StatusOK, out)
}

// parseCursor reads "seq.index".
func parseCursor(v string) (projections.Cursor, error) {
	if v == "" {
		return projections.Cursor{}, nil
	}
	a, b, ok := strings.Cut(v, ".")
	seq, err1 := strconv.ParseUint(a, 10, 64)
	idx, err2 := strconv.ParseUint(b, 10, 31) // no sign: Atoi read "-0" as 0
	if !ok || err1 != nil || err2 != nil {
		return projections.Cursor{}, badQuery("cursor", "the next_cursor of the previous page")
	}
	return projections.Cursor{Seq: seq, Index: int(idx)}, nil
}

// auditRow is one event of the audit history with its payload.
type auditRow struct {
	projections.AuditEntry
	Data any `json:"data"`
}

func (s *Server) audit(c echo.Context) error {
	var f projections.AuditFilter
	var err error
	f.CaseID, f.ActorID, f.Type = c.QueryParam("case_id"), c.QueryParam("actor_id"), c.QueryParam("type")
	if f.From, err = queryTime(c, "from"); err != nil {
		return err
	}
	if f.To, err = queryTime(c, "to"); err != nil {
		return err
	}
	if format := auditFormat(c.Request().Header.Get(echo.HeaderAccept)); format != "json" {
		return s.exportAudit(c, f, format)
	}
	cur, err := parseCursor(c.QueryParam("cursor"))
	if err != nil {
		return err
	}
	limit := 100
	if l := c.QueryParam("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 1000 {
			return badQuery("limit", "1 to 1000")
		}
	}
	var pos uint64
	if err := s.read(c, func(_ *projections.Models, p uint64) error {
		pos = p
		return nil
	}); err != nil {
		return err
	}
	page, next, err := s.deps.Reads.Audit().Page(c.Request().Context(), f, cur, limit)
	if err != nil {
		return domain.Wrap(domain.Unavailable, err, "event store unavailable")
	}
	rows := s.auditRows(c.Request().Context(), page)
	out := map[string]any{"events": rows, "seq": pos}
	if next != nil {
		out["next_cursor"] = fmt.Sprintf("%d.%d", next.Seq, next.Index)
	}
	return c.JSON(http.StatusOK, out)
}

// auditRows opens the personal data in the payloads of a page.
func (s *Server) auditRows(ctx context.Context, page []projections.AuditEntry) []auditRow {
	rows := make([]auditRow, 0, len(page))
	for _, e := range page {
		var data any
		_ = json.Unmarshal(e.Data, &data)
		rows = append(rows, auditRow{AuditEntry: e, Data: pii.RevealTree(ctx, s.deps.Reads.Vault, data)})
	}
	return rows
}

// exportAudit streams every matching event from the store as CSV or JSON
// lines, row by row, never holding the history in memory.
func (s *Server) exportAudit(c echo.Context, f projections.AuditFilter, format string) error {
	return s.deps.Reads.StreamAudit(c.Request().Context(), c.Response(), f, format, s.deps.Log)
}

// myCaseView is an applicant's case in "my cases".
type myCaseView struct {
	CaseID             string                 `json:"case_id"`
	Scheme             accreditation.Scheme   `json:"scheme"`
	Level              framework.Level        `json:"level"`
	State              accreditation.State    `json:"state"`
	NextStep           string                 `json:"next_step"`
	AllowedActions     []accreditation.Action `json:"allowed_actions"`
	OpenedAt           time.Time              `json:"opened_at"`
	SubmittedAt        *time.Time             `json:"submitted_at,omitempty"`
	ExpectedDecisionBy *time.Time             `json:"expected_decision_by,omitempty"`
	Timeline           []timelineEntry        `json:"timeline"`
	Accreditation      *accreditationSummary  `json:"accreditation,omitempty"`
	OpenRequest        map[string]any         `json:"open_information_request,omitempty"`
}

type accreditationSummary struct {
	ID         string                            `json:"id"`
	Level      framework.Level                   `json:"level"`
	ValidUntil time.Time                         `json:"valid_until"`
	Status     accreditation.AccreditationStatus `json:"status"`
}

type timelineEntry struct {
	Type       string      `json:"type"`
	OccurredAt time.Time   `json:"occurred_at"`
	ActorRole  domain.Role `json:"actor_role"`
}

func (s *Server) myCases(c echo.Context) error {
	u := caller(c)
	a := actor(c)
	now := s.deps.Now()
	var out []myCaseView
	var seq uint64
	ctx := c.Request().Context()
	open := func(sealed pii.Sealed) string { return s.deps.Reads.Vault.Reveal(ctx, sealed) }
	err := s.read(c, func(m *projections.Models, pos uint64) error {
		for _, cs := range m.Cases.OfApplicant(u.ID) {
			v := myCaseView{CaseID: cs.ID, Scheme: cs.Scheme, Level: cs.Level, State: cs.State, NextStep: cs.Next(now).RevealPlace(open).String(),
				AllowedActions: cs.AllowedActions(a, now, s.deps.Cases.RuleSets()), OpenedAt: cs.OpenedAt, Timeline: []timelineEntry{}}
			if !cs.SubmittedAt.IsZero() {
				sub := cs.SubmittedAt
				v.SubmittedAt = &sub
			}
			if due, ok := cs.DecisionExpectedBy(s.deps.Reads.SLA); ok {
				v.ExpectedDecisionBy = &due
			}
			if ac := cs.Accreditation; ac != nil {
				v.Accreditation = &accreditationSummary{ID: ac.ID, Level: ac.Level, ValidUntil: ac.ValidUntil, Status: ac.Status}
			}
			for _, r := range cs.InformationRequests {
				if !r.Answered() {
					v.OpenRequest = map[string]any{"id": r.ID, "asked_at": r.AskedAt,
						"questions": s.deps.Reads.Vault.Reveal(c.Request().Context(), r.Questions)}
				}
			}
			out = append(out, v)
		}
		seq = pos
		return nil
	})
	if err != nil {
		return err
	}
	// The timelines come from the store, outside the read models' lock.
	for i := range out {
		entries, _, err := s.deps.Reads.Audit().Page(c.Request().Context(), projections.AuditFilter{CaseID: out[i].CaseID}, projections.Cursor{}, 10000)
		if err != nil {
			return domain.Wrap(domain.Unavailable, err, "event store unavailable")
		}
		for _, e := range entries {
			out[i].Timeline = append(out[i].Timeline, timelineEntry{Type: e.Type, OccurredAt: e.OccurredAt, ActorRole: e.Actor.Role})
		}
	}
	if out == nil {
		out = []myCaseView{}
	}
	return c.JSON(http.StatusOK, map[string]any{"cases": out, "seq": seq})
}

// WarmRegister shapes the public register ahead of its first reader, as a
// start does once the read side is ready. The holders' keys are fetched
// first, outside any read of the models and several at once, so the
// shaping itself, which holds a read of the models (and so keeps the read
// side from moving on), only opens names with keys in memory: at 100k
// cases the first reader used to wait 20 to 30 s for the shaping, and
// every other reader behind it. It returns early when ctx ends.
func (s *Server) WarmRegister(ctx context.Context) {
	var holders []string
	s.deps.Reads.Runner.Read(func(set *projections.Set) {
		seen := map[string]bool{}
		for _, e := range set.Typed().Register.Entries {
			if e.Status == accreditation.StatusActive && !seen[e.HolderID] {
				seen[e.HolderID] = true
				holders = append(holders, e.HolderID)
			}
		}
	})
	inParallel(len(holders), func(i int) {
		if ctx.Err() == nil {
			_, _ = s.deps.Accounts.HolderName(ctx, holders[i]) // what fails is tried again by the shaping
		}
	})
	if ctx.Err() != nil {
		return
	}
	s.deps.Reads.Runner.Read(func(set *projections.Set) { s.publicRegister().Listed(ctx, set.Typed().Register) })
}

// publicRegister shapes the public register's rows for the API.
func (s *Server) publicRegister() PublicRegister {
	return PublicRegister{Users: s.deps.Accounts, Vault: s.deps.Reads.Vault, Now: s.deps.Now}
}

// registerList answers the public register: every listed row as before,
// or a page of them with ?limit (and ?cursor, the next_cursor of the page
// before). The whole list without a query is encoded once per change of
// the register and carries an ETag, so a client that has it gets a 304.
func (s *Server) registerList(c echo.Context) error {
	scheme, err := queryEnum(c, "scheme", schemes)
	if err != nil {
		return err
	}
	level, err := queryEnum(c, "level", levels)
	if err != nil {
		return err
	}
	q := strings.ToLower(strings.TrimSpace(c.QueryParam("q")))
	if utf8.RuneCountInString(q) > 200 { // characters, as it says: a Greek name's are two bytes each
		return badQuery("q", "at most 200 characters")
	}
	limit := 0 // every row, as before pages
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			return badQuery("limit", "1 to 1000")
		}
	}
	cursor := c.QueryParam("cursor")
	if len(cursor) > 64 {
		return badQuery("cursor", "the next_cursor of the page before")
	}
	if cursor != "" && limit == 0 {
		return badQuery("cursor", "given with limit only")
	}
	ctx := c.Request().Context()
	whole := limit == 0 && scheme == "" && level == "" && q == ""
	gz := whole && acceptsGzip(c.Request().Header.Get("Accept-Encoding"))
	var body []byte // the whole list's, encoded once per change and never changed: sent after the read
	var etag string
	err = s.read(c, func(m *projections.Models, _ uint64) error {
		list := s.publicRegister().Listed(ctx, m.Register)
		if whole {
			if body, etag = list.JSON(); gz {
				body, etag = list.GzipJSON()
			}
			return nil
		}
		from := 0
		if cursor != "" {
			e, ok := m.Register.Lookup(cursor)
			if !ok {
				return badQuery("cursor", "the next_cursor of the page before")
			}
			from = list.After(e.AwardedAt, e.AccreditationID)
		}
		f := RegisterFilter{Scheme: scheme, Level: level, Text: q}
		if _, pretty := c.QueryParams()["pretty"]; !pretty {
			buf := registerPages.Get().(*[]byte)
			defer registerPages.Put(buf)
			*buf = list.AppendPageJSON((*buf)[:0], f, from, limit)
			c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(*buf)))
			return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, *buf) // copied into the held answer
		}
		rows, next := list.Search(f, from, limit)
		out := map[string]any{"accreditations": rows}
		if next >= 0 && len(rows) > 0 {
			out["next_cursor"] = rows[len(rows)-1].AccreditationID
		}
		return c.JSON(http.StatusOK, out)
	})
	if err != nil || !whole {
		return err
	}
	// A body this large is not copied into the read's held answer: it is
	// written here, once the read models are let go.
	h := c.Response().Header()
	h.Add("Vary", "Accept-Encoding")
	h.Set("ETag", etag)
	// "*" matches any current list (RFC 9110 13.1.2): the register always has one.
	if match := strings.TrimSpace(c.Request().Header.Get("If-None-Match")); match == "*" || match != "" && strings.Contains(match, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

func (s *Server) verifyAccreditation(c echo.Context) error {
	id := c.Param("accreditation_id")
	var e projections.RegisterEntry
	var ok bool
	var replacedBy string
	if err := s.read(c, func(m *projections.Models, _ uint64) error {
		if e, ok = m.Register.Lookup(id); ok {
			replacedBy = m.Register.ReplacedBy(e)
		}
		return nil
	}); err != nil {
		return err
	}
	if !ok {
		return domain.Errorf(domain.NotFound, "no accreditation %s", id)
	}
	row, _, err := s.publicRegister().Row(c.Request().Context(), e)
	if err != nil {
		return err
	}
	row.ReplacedBy = replacedBy
	return c.JSON(http.StatusOK, map[string]any{"valid": row.Valid, "accreditation": row})
}

func (s *Server) stats(c echo.Context) error {
	return s.read(c, func(m *projections.Models, pos uint64) error {
		st := m.Cases.Stats(s.deps.Now(), s.deps.Reads.SLA)
		return c.JSON(http.StatusOK, map[string]any{"stats": st, "seq": pos})
	})
}

func (s *Server) projectionStatus(c echo.Context) error {
	r := s.deps.Ready(c.Request().Context())
	var last *projections.RebuildStatus // null until a rebuild ran
	if st, ok := s.deps.Reads.Runner.LastRebuild(); ok {
		last = &st
	}
	return c.JSON(http.StatusOK, map[string]any{"read_models": r.Projections, "store_seq": r.StoreSeq,
		"rebuilding": s.deps.Reads.Runner.Rebuilding(), "decode_errors": s.deps.Reads.Runner.DecodeErrors(),
		"last_rebuild": last, "rebuild_failures": s.deps.Reads.Runner.RebuildFailures()})
}

func (s *Server) rebuildProjections(c echo.Context) error {
	if err := bindNone(c); err != nil {
		return err
	}
	start := time.Now()
	n, err := s.deps.Reads.Runner.Rebuild(c.Request().Context(), func(pos, target uint64) {
		s.deps.Log.Info("rebuilding read models", "position", pos, "target", target)
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"replayed": n, "position": s.deps.Reads.Runner.Position(), "took_ms": time.Since(start).Milliseconds()})
}

// calibration answers how assessors agree: every assessor's figures and the
// agreement per category for the office; an assessor's own figures, and
// nobody else's, for an assessor.
func (s *Server) calibration(c echo.Context) error {
	only := ""
	if a := actor(c); a.Role != domain.RoleOffice {
		only = a.ID
	}
	var out projections.CalibrationReport
	if err := s.read(c, func(m *projections.Models, _ uint64) error {
		out = m.Calibration.Report(only)
		return nil
	}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
