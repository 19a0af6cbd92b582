package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/dates"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/rulesets"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// langs are the languages of the user interface; the first is the default.
var langs = []string{"en", "nl"}

// views are the parsed page templates of each language.
type views struct {
	pages map[string]map[string]*template.Template // lang -> page -> template
	asset string                                   // version of the static files, for cache busting
}

// mustViews parses every page once per language (the message function is
// bound to the language); it panics on a template error, which the tests
// rule out.
func mustViews(cat *framework.Catalogue) *views {
	v := &views{pages: map[string]map[string]*template.Template{}}
	h := sha256.New()
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFS.ReadFile(p)
			h.Write(b)
		}
		return nil
	})
	v.asset = hex.EncodeToString(h.Sum(nil))[:12]
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, lang := range langs {
		v.pages[lang] = map[string]*template.Template{}
		base := template.Must(template.New("base").Funcs(funcs(lang, cat)).ParseFS(templateFS, "templates/layout.html", "templates/partials.html"))
		for _, n := range names {
			name := strings.TrimSuffix(path.Base(n), ".html")
			if name == "layout" || name == "partials" {
				continue
			}
			t := template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
			v.pages[lang][name] = t
		}
	}
	return v
}

// page is what every template is given: the frame (language, user, CSRF
// token, navigation, messages) and the page's own data in D.
type page struct {
	Title    string
	Lang     string
	User     *accounts.UserView
	CSRF     string
	Path     string
	Nav      []navItem
	Asset    string
	OK       string
	Unseen   string // that a change is saved but the page may not show it yet
	Spoilt   string // that the page's link was spoilt or stale, and the first page is shown
	Errors   map[string]string
	Problems []string
	Form     url.Values
	Status   int
	D        any
	fieldAt  map[string]int    // where each field in error is in the page
	labels   map[string]string // the fields the summary names by the page's own label (OwnLabel)
}

type navItem struct {
	Href, Label string
	Current     bool
}

// V is the value of a form field: what was typed, or what is stored.
func (p *page) V(name string) string { return p.Form.Get(name) }

// Checked reports whether a checkbox or radio of the field has value.
func (p *page) Checked(name, value string) bool { return slices.Contains(p.Form[name], value) }

// Err is the error of a field.
func (p *page) Err(name string) string { return p.Errors[name] }

// HasErrors reports whether the page shows any error.
func (p *page) HasErrors() bool { return len(p.Errors) > 0 || len(p.Problems) > 0 }

// OwnLabel notes that the error summary names field name by label, the
// page's own, rather than by the catalogue's field.NAME: a field the
// catalogue's label does not fit on that page (an account's language of
// the emails is not an application's). The field's template calls it when
// given "ownLabel"; it writes nothing.
func (p *page) OwnLabel(name, label string) string {
	if p.labels == nil {
		p.labels = map[string]string{}
	}
	p.labels[name] = label
	return ""
}

// ErrorList is the page's field errors in the order of the form: the
// order their fields come in the page (see render), then by name. Label
// is the page's own label of the field (OwnLabel), "" when it has none.
func (p *page) ErrorList() []fieldErr {
	var out []fieldErr
	for k, v := range p.Errors {
		out = append(out, fieldErr{Field: k, Message: v, Label: p.labels[k]})
	}
	slices.SortFunc(out, func(a, b fieldErr) int {
		pa, oka := p.fieldAt[a.Field]
		pb, okb := p.fieldAt[b.Field]
		switch {
		case oka && okb && pa != pb:
			return pa - pb
		case oka != okb: // a field the page shows comes before one it does not
			if oka {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Field, b.Field)
	})
	return out
}

// placeFields notes where in the rendered page each field in error is (its
// element id="f-NAME"), so that the error summary follows the form.
func (p *page) placeFields(html []byte) {
	p.fieldAt = map[string]int{}
	for k := range p.Errors {
		if i := bytes.Index(html, []byte(`id="f-`+k+`"`)); i >= 0 {
			p.fieldAt[k] = i
		}
	}
}

type fieldErr struct{ Field, Message, Label string }

// foldUnplaced moves the errors of fields the rendered page has no
// element for (id="f-NAME": a form the page does not show, a field
// another form sends) to its problems, in words: the summary links every
// field error to its element, and such a link would lead nowhere. It
// reports whether it moved any.
func (x *ctx) foldUnplaced(p *page, html []byte) bool {
	var gone []string
	for k := range p.Errors {
		if !bytes.Contains(html, []byte(`id="f-`+k+`"`)) {
			gone = append(gone, k)
		}
	}
	slices.Sort(gone)
	for _, k := range gone {
		label := p.labels[k]
		if label == "" {
			label = fieldLabel(x.lang, x.a.d.Catalogue, k)
		}
		p.Problems = append(p.Problems, summaryText(label, p.Errors[k]))
		delete(p.Errors, k)
	}
	return len(gone) > 0
}

// ownLabelled reports whether a field in error has a label of the page's
// own (OwnLabel), which the summary, rendered before the field, names it by.
func (p *page) ownLabelled() bool {
	for k := range p.labels {
		if _, ok := p.Errors[k]; ok {
			return true
		}
	}
	return false
}

// T translates a message key in the page's language.
func (x *ctx) T(key string, args ...any) string { return tr(x.lang, key, args...) }

// newPage is a page with the frame filled in.
func (x *ctx) newPage(titleKey string, d any) *page {
	p := &page{Title: x.T(titleKey), Lang: x.lang, User: x.user, CSRF: x.csrfToken(), Path: x.backPath(),
		Asset: x.a.views.asset, Errors: map[string]string{}, Form: url.Values{}, D: d}
	if k := x.QueryParam("ok"); k != "" && hasMessage("ok."+k) {
		p.OK = x.T("ok." + k)
	}
	if seq := x.unseenSeq(); seq > 0 && !x.a.shows(seq) {
		p.Unseen = x.T("notice.unseen")
	}
	p.Nav = x.nav()
	return p
}

// unseenSeq is the seq of a change the page may not show yet: one this
// request saved (settle gave up waiting for it), or the one the form that
// redirected here saved (pendingParam); 0 when none.
func (x *ctx) unseenSeq() uint64 {
	if x.unseen > 0 {
		return x.unseen
	}
	seq, _ := strconv.ParseUint(x.QueryParam(pendingParam), 10, 64)
	return seq
}

// backPath is where the language switch returns to: this page, or for a
// page that answers a form, the nearest page above it (a form's own path
// may have no page).
func (x *ctx) backPath() string {
	req := x.Request()
	if req.Method == http.MethodGet {
		return req.URL.RequestURI()
	}
	p := req.URL.Path
	for p != "/" && p != "" {
		for _, r := range x.a.routes() {
			if r.Method == http.MethodGet && matchPath(r.Path, p) {
				return p
			}
		}
		p = p[:strings.LastIndexByte(p, '/')]
	}
	return "/"
}

// matchPath reports whether a path fits a route pattern (":x" one segment).
func matchPath(pattern, p string) bool {
	ps, ss := strings.Split(pattern, "/"), strings.Split(p, "/")
	if len(ps) != len(ss) {
		return false
	}
	for i := range ps {
		if !strings.HasPrefix(ps[i], ":") && ps[i] != ss[i] {
			return false
		}
	}
	return true
}

// nav is the main navigation of the caller's role, from the route table.
func (x *ctx) nav() []navItem {
	var own, public []navItem
	cur := x.Request().URL.Path
	for _, r := range x.a.routes() {
		if r.Nav == "" {
			continue
		}
		it := navItem{Href: r.Path, Label: x.T(r.Nav), Current: cur == r.Path || strings.HasPrefix(cur, r.Path+"/") && r.Path != "/office"}
		switch {
		case r.Public:
			public = append(public, it)
		case x.user != nil && slices.Contains(r.Roles, x.user.Role):
			own = append(own, it)
		}
	}
	return append(own, public...)
}

// render writes a page with status (200 when 0).
func (x *ctx) render(status int, name string, p *page) error {
	if status == 0 {
		status = http.StatusOK
	}
	p.Status = status
	t, ok := x.a.views.pages[x.lang][name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	if folded := x.foldUnplaced(p, b.Bytes()); folded || len(p.Errors) > 1 || p.ownLabelled() {
		// The summary comes before the fields: render again, once the page
		// says where they are and how it labels them.
		p.placeFields(b.Bytes())
		b.Reset()
		if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
	}
	out := b.Bytes()
	if x.lang != "en" {
		// The domain writes one marker in place of any personal text of an
		// erased person (a name, an address, a title, a statement), in
		// English: say it in the page's language, wherever the page shows it.
		out = bytes.ReplaceAll(out, []byte(pii.Erased), []byte(x.T("personal.erased")))
	}
	if (status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests) && x.Response().Header().Get("Retry-After") == "" {
		x.Response().Header().Set("Retry-After", "1") // every 503 says when to come back
	}
	return x.HTMLBlob(status, out)
}

// errorPage answers with the friendly page of an error.
func (x *ctx) errorPage(err error) error {
	status := statusOf(err)
	key := "error.other"
	var wr errWrongRole
	switch {
	case errors.As(err, &wr):
		status, key = http.StatusForbidden, "error.forbidden"
	case errors.Is(err, errCSRF):
		status, key = http.StatusForbidden, "error.csrf"
	case status == http.StatusNotFound:
		key = "error.not_found"
	case status == http.StatusForbidden:
		key = "error.forbidden"
	case status == http.StatusMethodNotAllowed:
		key = "error.not_found"
	case status == http.StatusRequestEntityTooLarge:
		key = "error.too_large"
	case status >= 500 && status != http.StatusServiceUnavailable:
		key = "error.internal"
		x.a.d.Log.Error("web: internal error", "request_id", x.Response().Header().Get("X-Request-Id"), "path", x.Request().URL.Path, "err", err)
	}
	d := map[string]any{"Status": status, "Key": key, "RequestID": x.Response().Header().Get("X-Request-Id")}
	if de := (*domain.Error)(nil); key == "error.other" && errors.As(err, &de) {
		detail := x.problemOn(err, "page") // an echo error's status says it all
		d["Detail"] = detail
		d["Fields"] = x.fieldReasons(de)
		d["Reasons"] = x.refusalReasons(err, de, detail)
	}
	if key == "error.too_large" {
		d["Limit"] = x.a.maxUpload()
	}
	if len(wr.need) > 0 {
		var rs []string
		for _, r := range wr.need {
			rs = append(rs, x.T("role."+string(r)))
		}
		d["Roles"] = strings.Join(rs, ", ")
	}
	p := x.newPage(key+".title", d)
	return x.render(status, "error", p)
}

// fieldReasons are the reasons of a domain error's fields in the reader's
// language, a field's reasons together as a form shows them (fieldErrors),
// in the order the error names them: the error page says what was wrong
// when no form is shown again.
func (x *ctx) fieldReasons(de *domain.Error) []fieldErr {
	var out []fieldErr
	at := map[string]int{}
	for _, f := range de.Fields {
		msg := translateReason(x.lang, f.Reason)
		if i, ok := at[f.Field]; ok {
			out[i].Message += "; " + msg
			continue
		}
		at[f.Field] = len(out)
		out = append(out, fieldErr{Field: f.Field, Message: msg})
	}
	return out
}

// refusal says, in the reader's language, why a step was refused for a
// cause the web words itself rather than showing the API's English: an
// assessor whose profile no longer meets their role (the page's notice
// says more), a role someone else took, a record that is in already, a
// step the case's state does not allow (a page opened before the case
// moved on, a second tab), one that something else on the case stands in
// the way of (a fee, an interview, an appeal's terms, a holder's own
// judgement), an assessor who may not take the role, a panel whose votes
// do not carry the decision, and rules edited from a version since
// replaced, a form sent again with other values, and a credential or
// certificate asked of an accreditation no longer in force. It is "" for
// any other error.
func (x *ctx) refusal(err error) string {
	var extra map[string]any // what the refusal names, for the words
	if de := (*domain.Error)(nil); errors.As(err, &de) {
		extra = de.Extra
	}
	switch {
	case errors.Is(err, aggregate.ErrKeyReused):
		return x.T("form.resent")
	case errors.Is(err, cases.ErrBarred):
		return x.T("error.barred")
	case errors.Is(err, cases.ErrConflicted):
		return x.T("workspace.conflicted")
	case errors.Is(err, accreditation.ErrRoleTaken):
		key := "error.role_taken"
		if role, _ := extra["role"].(accreditation.AssessorRole); role.Valid() {
			key += "." + string(role) // error.role_taken.assessor, .verifier
		}
		return x.T(key)
	case errors.Is(err, accreditation.ErrAlreadyRecorded):
		key := "error.already_recorded"
		if what, _ := extra["recorded"].(string); what == "assessment" || what == "interview" || what == "renewal" {
			key += "." + what // error.already_recorded.assessment, .interview, .renewal
		}
		return x.T(key)
	case errors.Is(err, accreditation.ErrBlocked):
		by, _ := extra["blocked_by"].(accreditation.Blocker)
		if !slices.Contains(accreditation.Blockers, by) {
			return ""
		}
		key := "error.blocked." + string(by)
		if role, _ := extra["role"].(accreditation.AssessorRole); role.Valid() && hasMessage(key+"."+string(role)) {
			key += "." + string(role) // error.blocked.holder_assessed.verifier, ...
		}
		if end, ok := extra["appeal_deadline"].(time.Time); ok && by == accreditation.BlockedByAppealPeriod {
			return x.T(key+".on", formatDate(x.lang, end, true))
		}
		return x.T(key)
	case errors.Is(err, accreditation.ErrNotQualified):
		codes, _ := extra["excluded"].([]accreditation.ExclusionCode)
		var why []string
		for _, c := range codes {
			if k := "refused.excluded." + string(c); hasMessage(k) {
				why = append(why, x.T(k))
			}
		}
		if len(why) == 0 {
			return "" // a code not worded here yet: the API's words
		}
		key := "error.not_qualified"
		if x.user != nil && x.user.Role == domain.RoleAssessor {
			key += ".you" // their own claim
		}
		return x.T(key, strings.Join(why, " "))
	case errors.Is(err, accreditation.ErrVotesDoNotCarry):
		return x.T("error.votes_do_not_carry", extra["votes_for"], extra["votes_against"])
	case errors.Is(err, rulesets.ErrSuperseded):
		latest, _ := extra["latest"].(string)
		if r, ok := x.a.d.Cases.RuleSets().ByID(latest); ok {
			latest = rulesTitle(x, r) // as the form's introduction names it
		}
		return x.T("error.superseded", latest)
	case errors.Is(err, errNotInForce):
		s, _ := extra["accreditation_status"].(accreditation.AccreditationStatus)
		return x.T("error.not_in_force", x.T("astatus."+string(s)))
	case errors.Is(err, accreditation.ErrWrongState):
		if s, _ := extra["accreditation_status"].(accreditation.AccreditationStatus); s != "" {
			return x.T("error.wrong_status", x.T("astatus."+string(s)))
		}
		if s, _ := extra["renewal_state"].(accreditation.RenewalState); s != "" {
			return x.T("error.wrong_renewal_state", x.T("rstate."+string(s)))
		}
		state, _ := extra["state"].(accreditation.State)
		if state == "" {
			return x.T("error.wrong_state.unnamed")
		}
		names := "state."
		if x.user != nil && x.user.Role == domain.RoleApplicant {
			names = "you.state." // as the applicant's own pages name it
		}
		return x.T("error.wrong_state", x.T(names+string(state)))
	}
	return ""
}

// renewalYearField is the name of a figure of a year of the renewal form
// (renewalForm): years[1].cpd_hours, years[1].supervision_hours_by_quarter[2].
var renewalYearField = regexp.MustCompile(`^years\[(\d+)\]\.([a-z_]+?)(?:_by_quarter\[(\d+)\])?$`)

// fieldErrors puts a domain error's fields on the page, under the names
// of the form (rename maps a domain field to a form field); what has no
// field goes to the summary. It returns the status of the error.
func (x *ctx) fieldErrors(p *page, err error, rename func(string) string) int {
	var de *domain.Error
	if domain.Is(err, domain.PreconditionFailed) && x.form.Get("version") != "" {
		p.Problems = append(p.Problems, x.T("form.stale"))
		return statusOf(err)
	}
	if r := x.refusal(err); r != "" {
		p.Problems = append(p.Problems, r)
		return statusOf(err)
	}
	if !errors.As(err, &de) || de.Code == domain.Internal || de.Code == domain.Unavailable && len(de.Fields) == 0 {
		if domain.ErrorCode(err) == domain.Internal {
			x.a.d.Log.Error("web: internal error", "path", x.Request().URL.Path, "err", err)
		}
		p.Problems = append(p.Problems, x.problem(err))
		return statusOf(err)
	}
	for _, f := range de.Fields {
		name := f.Field
		if rename != nil {
			name = rename(f.Field)
		}
		msg := translateReason(x.lang, f.Reason)
		switch {
		case isChoice(name) && (f.Reason == "required" || x.fv(name) == "" && onlyAllowed.MatchString(f.Reason)):
			msg = x.T("form.choose")
		case isText(name) && emptyRequired(x, name, f.Reason):
			msg = x.fillIn(name)
		}
		if prev := p.Errors[name]; prev != "" {
			msg = prev + "; " + msg
		}
		p.Errors[name] = msg
	}
	if len(de.Fields) == 0 {
		p.Problems = append(p.Problems, x.problem(err))
	}
	p.Problems = append(p.Problems, x.refusalReasons(err, de, p.Problems...)...)
	return statusOf(err)
}

// has reports whether list (a slice) holds v, compared as text.
func has(list any, v any) bool {
	rv := reflect.ValueOf(list)
	if rv.Kind() != reflect.Slice {
		return false
	}
	want := fmt.Sprint(v)
	for i := range rv.Len() {
		if fmt.Sprint(rv.Index(i).Interface()) == want {
			return true
		}
	}
	return false
}

func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, !t.IsZero()
	case accreditation.Date: // the portfolio's first practice date
		return t.Time(), !t.IsZero()
	case string:
		if t == "" {
			return time.Time{}, false
		}
		if p, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return p, true
		}
		if p, err := time.Parse(time.DateOnly, t); err == nil {
			return p, true
		}
	}
	return time.Time{}, false
}

// formatDate writes a day as "2 March 2026" ("2 maart 2026"), with the
// time of day in UTC when withTime: as the emails do (domain/dates).
func formatDate(lang string, v any, withTime bool) string {
	t, ok := asTime(v)
	if !ok {
		return ""
	}
	if withTime {
		return dates.DateTime(lang, t)
	}
	return dates.Date(lang, t)
}

func formatBytes(lang string, n int64) string {
	var s string
	switch {
	case n >= 1<<20:
		s = formatNum(lang, math.Round(float64(n)/(1<<20)*10)/10) + " MB"
	case n >= 1<<10:
		s = formatNum(lang, math.Round(float64(n)/(1<<10)*10)/10) + " KB"
	default:
		s = strconv.FormatInt(n, 10) + " " + tr(lang, "unit.bytes")
	}
	return s
}

func formatNum(lang string, f float64) string {
	if f == 0 {
		f = 0 // not "-0": a figure rounded to nothing (a kappa of -0.004)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if lang == "nl" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// formatEUR writes an amount in euros to the cent when it has cents:
// "450", "450.50" ("450,50" in Dutch).
func formatEUR(lang string, f float64) string {
	s := accreditation.FormatEUR(f)
	if lang == "nl" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// eventLabel names an event type: "Application submitted".
func eventLabel(lang, t string) string {
	_, short, _ := strings.Cut(t, ".")
	if k := "event." + short; hasMessage(k) {
		return tr(lang, k)
	}
	return t
}
