package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type queueItem struct {
	CaseID      string    `json:"case_id"`
	Scheme      string    `json:"scheme"`
	Level       string    `json:"level"`
	Language    string    `json:"language"`
	State       string    `json:"state"`
	SubmittedAt time.Time `json:"submitted_at"`
	WaitingDays int       `json:"waiting_days"`
	DueAt       time.Time `json:"due_at"`
	Overdue     bool      `json:"overdue"`
	AssessorID  string    `json:"assessor_id"`
	VerifierID  string    `json:"verifier_id"`
	MyRole      string    `json:"my_role"`
	Claimable   []string  `json:"claimable"`
}

func queueTable(items []queueItem, assessor bool) ([]string, [][]string) {
	header := []string{"CASE", "SCHEME", "LEVEL", "LANG", "STATE", "SUBMITTED", "WAITING", "DUE", "OVERDUE", "ASSESSOR", "VERIFIER"}
	if assessor {
		header = []string{"CASE", "SCHEME", "LEVEL", "LANG", "STATE", "SUBMITTED", "WAITING", "DUE", "OVERDUE", "ROLE"}
	}
	var rows [][]string
	for _, it := range items {
		r := []string{it.CaseID, it.Scheme, it.Level, it.Language, it.State, day(it.SubmittedAt), fmt.Sprintf("%dd", it.WaitingDays), day(it.DueAt), yes(it.Overdue)}
		if assessor {
			role := it.MyRole
			if role == "" {
				role = "may claim " + strings.Join(it.Claimable, " or ")
			}
			r = append(r, role)
		} else {
			r = append(r, orDash(it.AssessorID), orDash(it.VerifierID))
		}
		rows = append(rows, r)
	}
	return header, rows
}

func cmdCasesList(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit cases list", "", `
Lists the work queue, oldest first. For the office: every case in progress,
narrowed by the flags. For an assessor: the cases awaiting assessment they
may claim, and their own cases in progress (the flags do not apply).`, "GET /api/v1/queue", 0, 0)
	scheme := l.fs.String("scheme", "", "only EIA or EQA")
	level := l.fs.String("level", "", "only this level")
	state := l.fs.String("state", "", "only this state, e.g. submitted, awaiting_assessment")
	language := l.fs.String("language", "", "only this language, e.g. en")
	assessor := l.fs.String("assessor", "", "only cases this user assesses or verifies")
	overdue := l.fs.String("overdue", "", "true: only overdue cases; false: only cases on time")
	limit := l.fs.Int("limit", 0, "cases per page, 1 to 500 (the server's default: 50)")
	offset := l.fs.Int("offset", 0, "the office's queue: skip this many cases")
	cursor := l.fs.String("cursor", "", "go on after the page before (its next cursor); an assessor's: of the cases they may claim")
	mineCursor := l.fs.String("mine-cursor", "", "an assessor's queue: go on with their own cases after the page before")
	minSeq := l.fs.Uint64("min-seq", 0, "wait until the read models reflect this store position (a command's seq)")
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	q := url.Values{}
	if *limit != 0 {
		q.Set("limit", strconv.Itoa(*limit))
	}
	if *offset != 0 {
		q.Set("offset", strconv.Itoa(*offset))
	}
	if *cursor != "" {
		q.Set("cursor", *cursor)
	}
	if *mineCursor != "" {
		q.Set("mine_cursor", *mineCursor)
	}
	for k, v := range map[string]string{"scheme": *scheme, "level": *level, "state": *state, "language": *language, "assessor_id": *assessor, "overdue": *overdue} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if *minSeq > 0 {
		q.Set("min_seq", strconv.FormatUint(*minSeq, 10))
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	var ans struct {
		Cases          *[]queueItem `json:"cases"`
		HasMore        bool         `json:"has_more"`
		NextCursor     string       `json:"next_cursor"`
		Available      []queueItem  `json:"available"`
		Mine           []queueItem  `json:"mine"`
		MineHasMore    bool         `json:"mine_has_more"`
		MineNextCursor string       `json:"mine_next_cursor"`
		SLA            int          `json:"service_level_days"`
	}
	raw, err := cl.callJSON(ctx, request{method: http.MethodGet, path: "/api/v1/queue", query: q}, &ans)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(raw, nil)
	}
	if ans.Cases != nil {
		h, rows := queueTable(*ans.Cases, false)
		table(c.stdout, h, rows)
		fmt.Fprintf(c.stdout, "\n%s in progress", plural(len(*ans.Cases), "case", "cases"))
		if ans.HasMore {
			// By cursor: a case leaving the queue meanwhile moves no other past the reader.
			fmt.Fprintf(c.stdout, " shown, and more: the next page is --cursor %s", ans.NextCursor)
		}
		fmt.Fprintf(c.stdout, "; the service level is %d days from submission (or the fee's payment) to decision.\n", ans.SLA)
		return nil
	}
	// Each list's next page, as the office's: past the first, an assessor
	// had no way to the rest.
	more := func(has bool, flag, cursor string) string {
		if !has {
			return ""
		}
		return ", and more: the next page is " + flag + " " + cursor
	}
	fmt.Fprintf(c.stdout, "Available to claim (%d%s):\n", len(ans.Available), more(ans.HasMore, "--cursor", ans.NextCursor))
	if len(ans.Available) > 0 {
		h, rows := queueTable(ans.Available, true)
		table(c.stdout, h, rows)
	}
	fmt.Fprintf(c.stdout, "\nMine in progress (%d%s):\n", len(ans.Mine), more(ans.MineHasMore, "--mine-cursor", ans.MineNextCursor))
	if len(ans.Mine) > 0 {
		h, rows := queueTable(ans.Mine, true)
		table(c.stdout, h, rows)
	}
	return nil
}

type caseView struct {
	AsOf           string   `json:"as_of"`
	ID             string   `json:"id"`
	Scheme         string   `json:"scheme"`
	Level          string   `json:"level"`
	Language       string   `json:"language"`
	State          string   `json:"state"`
	ApplicantID    string   `json:"applicant_id"`
	OpenedAt       string   `json:"opened_at"`
	UpdatedAt      string   `json:"updated_at"`
	SubmittedAt    string   `json:"submitted_at"`
	Version        uint64   `json:"version"`
	RuleSet        string   `json:"rule_set"`
	NextStep       string   `json:"next_step"`
	AllowedActions []string `json:"allowed_actions"`
	ExpectedBy     string   `json:"expected_decision_by"`
	AppealDeadline string   `json:"appeal_deadline"`
	Programme      *struct {
		Name     any `json:"name"`
		Provider any `json:"provider"`
	} `json:"programme"`
	Evidence []struct {
		ID       string `json:"id"`
		Kind     string `json:"kind"`
		Title    any    `json:"title"`
		FileName any    `json:"file_name"`
		Size     int64  `json:"size"`
	} `json:"evidence"`
	Assignments map[string]struct {
		UserID string `json:"user_id"`
		How    string `json:"how"`
	} `json:"assignments"`
	Decision *struct {
		Outcome string `json:"outcome"`
		Level   string `json:"level"`
		At      string `json:"at"`
	} `json:"decision"`
	Accreditation *struct {
		ID         string `json:"id"`
		Level      string `json:"level"`
		Status     string `json:"status"`
		ValidUntil string `json:"valid_until"`
	} `json:"accreditation"`
	Checklist []struct {
		Rule     string `json:"rule"`
		Required any    `json:"required"`
		Given    any    `json:"given"`
	} `json:"checklist"`
}

func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func cmdCasesShow(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit cases show", "CASE-ID", "Shows one case as you may see it; with --as-of, as it stood then.", "GET /api/v1/cases/{id}", 1, 1)
	minSeq := l.fs.Uint64("min-seq", 0, "wait until the read models reflect this store position (a command's seq)")
	asOf := l.fs.String("as-of", "", "show the case as it stood at this moment: an RFC 3339 time, or a date (YYYY-MM-DD: the end of that day, UTC)")
	pos, err := l.parse(c, args)
	if err != nil {
		return err
	}
	q, err := caseQuery(l.path, *minSeq, *asOf)
	if err != nil {
		return err
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	var v caseView
	raw, err := cl.callJSON(ctx, request{method: http.MethodGet, path: "/api/v1/cases/" + url.PathEscape(pos[0]), query: q}, &v)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(raw, nil)
	}
	prog := ""
	if v.Programme != nil {
		prog = text(v.Programme.Name) + " (" + text(v.Programme.Provider) + ")"
	}
	var assigned []string
	for _, role := range []string{"assessor", "verifier"} {
		if a, ok := v.Assignments[role]; ok {
			assigned = append(assigned, fmt.Sprintf("%s %s (%s)", role, a.UserID, a.How))
		}
	}
	decision, acc := "", ""
	if d := v.Decision; d != nil {
		decision = strings.TrimSpace(d.Outcome + " " + d.Level + " on " + d.At)
	}
	if a := v.Accreditation; a != nil {
		acc = fmt.Sprintf("%s %s, %s, valid until %s", a.ID, a.Level, a.Status, a.ValidUntil)
	}
	fields(c.stdout, "as it stood at", v.AsOf, "case", v.ID, "scheme", v.Scheme, "level", v.Level, "language", v.Language, "programme", prog,
		"state", v.State, "version", strconv.FormatUint(v.Version, 10), "applicant", v.ApplicantID,
		"opened", v.OpenedAt, "submitted", v.SubmittedAt, "updated", v.UpdatedAt, "rule set", v.RuleSet,
		"assigned", strings.Join(assigned, "; "), "decision", decision, "accreditation", acc,
		"decision expected by", v.ExpectedBy, "appeal until", v.AppealDeadline,
		"next step", v.NextStep, "you may", strings.Join(v.AllowedActions, ", "))
	if len(v.Evidence) > 0 {
		fmt.Fprintf(c.stdout, "\nEvidence (%d):\n", len(v.Evidence))
		var rows [][]string
		for _, e := range v.Evidence {
			rows = append(rows, []string{e.ID, e.Kind, text(e.Title), text(e.FileName), humanBytes(e.Size)})
		}
		table(c.stdout, []string{"ID", "KIND", "TITLE", "FILE", "SIZE"}, rows)
	}
	if len(v.Checklist) > 0 {
		fmt.Fprintf(c.stdout, "\nBefore it can be submitted:\n")
		for _, u := range v.Checklist {
			fmt.Fprintf(c.stdout, "  %s: requires %v, given %v\n", u.Rule, u.Required, u.Given)
		}
	}
	return nil
}

func cmdCasesHistory(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit cases history", "CASE-ID", "Lists every event of a case, in order, as you may see it; with --as-of, those recorded until then.", "GET /api/v1/cases/{id}/history", 1, 1)
	minSeq := l.fs.Uint64("min-seq", 0, "wait until the read models reflect this store position (a command's seq)")
	asOf := l.fs.String("as-of", "", "only the events recorded until this moment: an RFC 3339 time, or a date (YYYY-MM-DD: the end of that day, UTC)")
	pos, err := l.parse(c, args)
	if err != nil {
		return err
	}
	q, err := caseQuery(l.path, *minSeq, *asOf)
	if err != nil {
		return err
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	var ans struct {
		Events []struct {
			Seq        uint64    `json:"seq"`
			Type       string    `json:"type"`
			Version    uint64    `json:"version"`
			OccurredAt time.Time `json:"occurred_at"`
			Actor      struct{ ID, Role string }
			Data       json.RawMessage `json:"data"`
		} `json:"events"`
	}
	raw, err := cl.callJSON(ctx, request{method: http.MethodGet, path: "/api/v1/cases/" + url.PathEscape(pos[0]) + "/history", query: q}, &ans)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(raw, nil)
	}
	var rows [][]string
	for _, e := range ans.Events {
		rows = append(rows, []string{strconv.FormatUint(e.Version, 10), when(e.OccurredAt), strings.TrimPrefix(e.Type, "accreditation."), e.Actor.Role + " " + e.Actor.ID, strconv.FormatUint(e.Seq, 10)})
	}
	table(c.stdout, []string{"VERSION", "WHEN", "EVENT", "BY", "SEQ"}, rows)
	return nil
}

// caseQuery is the query of a case read: min_seq when set, and as_of from
// --as-of, where a bare date means the end of that day (UTC), so that "as it
// stood on 31 March" includes what happened that day.
func caseQuery(path string, minSeq uint64, asOf string) (url.Values, error) {
	q := url.Values{}
	if minSeq > 0 {
		q.Set("min_seq", strconv.FormatUint(minSeq, 10))
	}
	if asOf == "" {
		return q, nil
	}
	if d, err := time.Parse(time.DateOnly, asOf); err == nil {
		q.Set("as_of", d.Add(24*time.Hour-time.Nanosecond).Format(time.RFC3339Nano))
		return q, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, asOf); err == nil {
		q.Set("as_of", t.Format(time.RFC3339Nano))
		return q, nil
	}
	return nil, usagef(path, "--as-of must be an RFC 3339 time (2026-03-31T17:00:00Z) or a date (2026-03-31), not %q", asOf)
}
