package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// progressEvery is how often a long export reports on stderr.
var progressEvery = 2 * time.Second

// counter counts what passes through it: bytes and lines.
type counter struct {
	w            io.Writer
	bytes, lines atomic.Int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.bytes.Add(int64(n))
	c.lines.Add(int64(bytes.Count(p[:n], []byte{'\n'})))
	return n, err
}

func cmdAuditExport(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit audit export", "", `
Streams every event of the audit history matching the filters, oldest
first, as CSV (a header row, then seq, index, event_id, occurred_at, stream,
case_id, type, version, actor_id, actor_role, data) or as JSON lines (one
event object per line), to standard output or --out. Personal text is in
clear (or [erased]). On long exports the count of events and bytes so far is
reported on standard error. With --out, the file appears only when the
export is complete.`, "GET /api/v1/audit with Accept: text/csv or application/x-ndjson", 0, 0)
	format := l.fs.String("format", "csv", "csv or ndjson")
	from := l.fs.String("from", "", "from this date (2026-01-31) or time (2026-01-31T09:00:00Z), inclusive")
	to := l.fs.String("to", "", "until this date or time, exclusive")
	caseID := l.fs.String("case", "", "only this case's events")
	actor := l.fs.String("actor", "", "only events by this user id")
	typ := l.fs.String("type", "", "only this event type, e.g. accreditation.decision_made")
	out := l.fs.String("out", "", "write to this file instead of standard output")
	quiet := l.fs.Bool("quiet", false, "no progress or summary on standard error")
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	accept := map[string]string{"csv": "text/csv", "ndjson": "application/x-ndjson"}[*format]
	if accept == "" {
		return usagef(l.path, "--format must be csv or ndjson, not %q", *format)
	}
	q := url.Values{}
	for k, v := range map[string]string{"from": *from, "to": *to, "case_id": *caseID, "actor_id": *actor, "type": *typ} {
		if v != "" {
			q.Set(k, v)
		}
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	resp, err := cl.send(ctx, request{method: http.MethodGet, path: "/api/v1/audit", query: q, header: map[string]string{"Accept": accept}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !bytes.HasPrefix([]byte(ct), []byte(accept)) {
		return fmt.Errorf("GET /api/v1/audit answered %q, not %s: is accreditd recent enough?", ct, accept)
	}

	var dst io.Writer = c.stdout
	var tmp *os.File
	if *out != "" {
		if tmp, err = os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*"); err != nil {
			return fmt.Errorf("create %s: %w", *out, err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		dst = tmp
	}
	cnt := &counter{w: dst}
	events := func() int64 {
		n := cnt.lines.Load()
		if *format == "csv" && n > 0 {
			n-- // the header
		}
		return n
	}
	start := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	if !*quiet {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(progressEvery)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					fmt.Fprintf(c.stderr, "accredit: exported %d events (%s) so far…\n", events(), humanBytes(cnt.bytes.Load()))
				}
			}
		}()
	}
	_, err = io.Copy(cnt, resp.Body)
	close(done)
	wg.Wait()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("export interrupted after %d events", events())
		}
		return fmt.Errorf("export broken off after %d events: %w", events(), err)
	}
	// The server says in a trailer whether it sent everything.
	if resp.Trailer.Get("X-Accredit-Export-Complete") != "true" {
		return fmt.Errorf("export incomplete: the server stopped after %d events (see its log); nothing is trustworthy past that point", events())
	}
	where := "standard output"
	if tmp != nil {
		if err := tmp.Close(); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
		if err := os.Rename(tmp.Name(), *out); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
		where = *out
	}
	if !*quiet {
		fmt.Fprintf(c.stderr, "accredit: exported %d events (%s) to %s in %s, up to store position %s.\n",
			events(), humanBytes(cnt.bytes.Load()), where, time.Since(start).Round(time.Millisecond), orDash(resp.Header.Get("X-Accredit-Seq")))
	}
	return nil
}

type auditReport struct {
	Intact  bool   `json:"intact"`
	Commits uint64 `json:"commits"`
	Streams []struct {
		Stream        string `json:"stream"`
		Events        uint64 `json:"events"`
		Intact        bool   `json:"intact"`
		FirstMismatch *struct {
			Version uint64 `json:"version"`
			EventID string `json:"event_id"`
			Seq     uint64 `json:"seq"`
			Reason  string `json:"reason"`
		} `json:"first_mismatch"`
	} `json:"streams"`
	Checkpoints []struct {
		Seq       uint64    `json:"seq"`
		CreatedAt time.Time `json:"created_at"`
		Intact    bool      `json:"intact"`
		Problems  []string  `json:"problems"`
	} `json:"checkpoints"`
}

func cmdAuditVerify(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit audit verify", "", `
Recomputes every stream's hash chain and every signed checkpoint on the
server and reports the result. Exits with 5 when anything does not match,
naming the first event or checkpoint that does not.`, "GET /api/v1/audit/verify", 0, 0)
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	var rep auditReport
	raw, err := cl.callJSON(ctx, request{method: http.MethodGet, path: "/api/v1/audit/verify"}, &rep)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		if err := c.printJSON(raw, nil); err != nil {
			return err
		}
	} else {
		verdict := "intact"
		if !rep.Intact {
			verdict = "NOT INTACT"
		}
		fmt.Fprintf(c.stdout, "The audit chain is %s: %d commits in %d streams, %d signed checkpoints.\n", verdict, rep.Commits, len(rep.Streams), len(rep.Checkpoints))
		for _, s := range rep.Streams {
			if m := s.FirstMismatch; m != nil {
				fmt.Fprintf(c.stdout, "  stream %s: first mismatch at version %d (event %s, seq %d): %s\n", s.Stream, m.Version, orDash(m.EventID), m.Seq, m.Reason)
			}
		}
		for _, cp := range rep.Checkpoints {
			if !cp.Intact {
				fmt.Fprintf(c.stdout, "  checkpoint at seq %d (%s): %v\n", cp.Seq, when(cp.CreatedAt), cp.Problems)
			}
		}
	}
	if !rep.Intact {
		return &exitError{code: exitNotIntact}
	}
	return nil
}

func cmdAuditCheckpoint(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit audit checkpoint", "", "Records a signed checkpoint of every stream's head now.", "POST /api/v1/audit/checkpoints", 0, 0)
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	var cp struct {
		Seq       uint64    `json:"seq"`
		CreatedAt time.Time `json:"created_at"`
		Streams   int       `json:"streams"`
		KeyID     string    `json:"key_id"`
	}
	raw, err := cl.callJSON(ctx, request{method: http.MethodPost, path: "/api/v1/audit/checkpoints"}, &cp)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(raw, nil)
	}
	fmt.Fprintf(c.stdout, "Checkpoint at store position %d signed with key %s over %d streams (%s).\n", cp.Seq, cp.KeyID, cp.Streams, when(cp.CreatedAt))
	return nil
}

func cmdProjectionsStatus(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit projections status", "", "Shows each read model's position in the event store and how far it lags.", "GET /api/v1/projections", 0, 0)
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	var st struct {
		ReadModels []struct {
			Name     string `json:"name"`
			Position uint64 `json:"position"`
			Lag      uint64 `json:"lag"`
		} `json:"read_models"`
		StoreSeq     uint64 `json:"store_seq"`
		Rebuilding   bool   `json:"rebuilding"`
		DecodeErrors int64  `json:"decode_errors"`
	}
	raw, err := cl.callJSON(ctx, request{method: http.MethodGet, path: "/api/v1/projections"}, &st)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(raw, nil)
	}
	var rows [][]string
	for _, m := range st.ReadModels {
		rows = append(rows, []string{m.Name, strconv.FormatUint(m.Position, 10), strconv.FormatUint(m.Lag, 10)})
	}
	table(c.stdout, []string{"READ MODEL", "POSITION", "LAG"}, rows)
	fmt.Fprintf(c.stdout, "\nEvent store at %d; rebuilding: %s; decode errors: %d.\n", st.StoreSeq, yes(st.Rebuilding), st.DecodeErrors)
	return nil
}

func cmdProjectionsRebuild(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit projections rebuild", "", `
Rebuilds the read models from the whole event store while the current ones
keep serving, then swaps them in. It can take a while on a large store.`, "POST /api/v1/projections/rebuild", 0, 0)
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	var ans struct {
		Replayed uint64 `json:"replayed"`
		Position uint64 `json:"position"`
		TookMS   int64  `json:"took_ms"`
	}
	raw, err := cl.callJSON(ctx, request{method: http.MethodPost, path: "/api/v1/projections/rebuild"}, &ans)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(raw, nil)
	}
	fmt.Fprintf(c.stdout, "Rebuilt the read models: replayed %d commits up to position %d in %d ms.\n", ans.Replayed, ans.Position, ans.TookMS)
	return nil
}

type registerEntry struct {
	AccreditationID string    `json:"accreditation_id"`
	Holder          string    `json:"holder"`
	Programme       string    `json:"programme"`
	Provider        string    `json:"provider"`
	Scheme          string    `json:"scheme"`
	Level           string    `json:"level"`
	AwardedAt       time.Time `json:"awarded_at"`
	ValidUntil      time.Time `json:"valid_until"`
	Status          string    `json:"status"`
	EndedAt         time.Time `json:"ended_at"`    // verification: when one no longer active ended
	ReplacedBy      string    `json:"replaced_by"` // verification: the award in its stead
}

func cmdRegisterSearch(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit register search", "[WORDS]", `
Searches the public register of accreditations in force by holder,
programme or provider name (--q or the words given), scheme and level. No
login needed. Every match is listed, newest award first, unless --limit
asks for a page; the next page is --cursor with the id printed after it.`, "GET /api/v1/register", 0, -1)
	qq := l.fs.String("q", "", "words in the holder's, programme's or provider's name")
	scheme := l.fs.String("scheme", "", "only EIA or EQA")
	level := l.fs.String("level", "", "only this level")
	limit := l.fs.Int("limit", 0, "at most this many (1 to 1000); 0 for every one")
	cursor := l.fs.String("cursor", "", "with --limit: list after this accreditation (the next cursor of the page before)")
	pos, err := l.parse(c, args)
	if err != nil {
		return err
	}
	if *limit < 0 || *limit > 1000 {
		return usagef(l.path, "--limit must be 1 to 1000, or 0 for every one")
	}
	if *cursor != "" && *limit == 0 {
		return usagef(l.path, "--cursor needs --limit")
	}
	q := url.Values{}
	words := *qq
	for _, w := range pos {
		words = joinWords(words, w)
	}
	if *limit > 0 {
		q.Set("limit", strconv.Itoa(*limit))
	}
	for k, v := range map[string]string{"q": words, "scheme": *scheme, "level": *level, "cursor": *cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	cl, err := c.client(false)
	if err != nil {
		return err
	}
	var ans struct {
		Accreditations []registerEntry `json:"accreditations"`
		NextCursor     string          `json:"next_cursor"`
	}
	raw, err := cl.callJSON(ctx, request{method: http.MethodGet, path: "/api/v1/register", query: q}, &ans)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(raw, nil)
	}
	var rows [][]string
	for _, e := range ans.Accreditations {
		rows = append(rows, []string{e.AccreditationID, e.Holder, orDash(e.Programme), e.Scheme, e.Level, day(e.AwardedAt), day(e.ValidUntil), e.Status})
	}
	table(c.stdout, []string{"ACCREDITATION", "HOLDER", "PROGRAMME", "SCHEME", "LEVEL", "AWARDED", "VALID UNTIL", "STATUS"}, rows)
	if ans.NextCursor != "" {
		fmt.Fprintf(c.stdout, "More follow: --cursor %s\n", ans.NextCursor)
	}
	return nil
}

func joinWords(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

func cmdRegisterVerify(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit register verify", "ACCREDITATION-ID", `
Checks an accreditation: valid when active and not past its date. Exits
with 1 when it is not valid. No login needed.`, "GET /api/v1/register/{accreditation_id}", 1, 1)
	pos, err := l.parse(c, args)
	if err != nil {
		return err
	}
	cl, err := c.client(false)
	if err != nil {
		return err
	}
	var ans struct {
		Valid         bool          `json:"valid"`
		Accreditation registerEntry `json:"accreditation"`
	}
	raw, err := cl.callJSON(ctx, request{method: http.MethodGet, path: "/api/v1/register/" + url.PathEscape(pos[0])}, &ans)
	if err != nil {
		return err
	}
	a := ans.Accreditation
	if c.jsonOut() {
		if err := c.printJSON(raw, nil); err != nil {
			return err
		}
	} else {
		verdict := "VALID"
		if !ans.Valid {
			verdict = "NOT VALID"
		}
		// A revoked or withdrawn one is not "valid until" a date years
		// ahead: it ended on the day it was, and may have been replaced.
		status := a.Status + ", valid until " + day(a.ValidUntil)
		if (a.Status == "revoked" || a.Status == "withdrawn") && !a.EndedAt.IsZero() {
			status = a.Status + " on " + day(a.EndedAt) + " (it would have run until " + day(a.ValidUntil) + ")"
		}
		if a.ReplacedBy != "" {
			status += ", replaced by " + a.ReplacedBy
		}
		fmt.Fprintf(c.stdout, "%s: %s %s accreditation of %s, %s.\n", verdict, a.Scheme, a.Level, shown(a.Holder), status)
	}
	if !ans.Valid {
		return &exitError{code: exitFailed}
	}
	return nil
}
