package mail

import (
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/dates"
	"github.com/emcc/accredit/domain/framework"
)

// Data is what a template may say. Name is the recipient's; no other
// person's data goes into a message.
type Data struct {
	Name   string
	CaseID string
	// Certificate is the accreditation's id, which its holder knows as
	// the certificate number (the certificate page, the register) and an
	// assessor sees in the renewals queue: the mails of an accreditation
	// name it, not the case it was awarded on. An upheld appeal's names
	// the accreditation its decision awarded, which it withdrew.
	Certificate string
	Link        string
	// Outcome is the decision's, the appeal's or the renewal's, as stored
	// ("awarded", "not_awarded", "upheld", "dismissed", "renew", "refuse",
	// "return"); an accreditation's ending ("revoked", "withdrawn"); for an
	// assignment, "renewal" when it is a renewal's.
	Outcome string
	// Level is the level a decision awarded, which may be lower than the
	// one applied for ({{level .Level}}: its name in the template's
	// language).
	Level framework.Level
	// Role is an assignment's: "assessor" or "verifier"; an interview's
	// to an assessor, the role they hold on the case ("": the applicant's).
	Role string
	// Appeal is a decision's: whether the applicant may appeal it (a
	// refusal, an award below the level applied for); AppealBy the end of
	// the appeal period its rules set (zero: none set).
	Appeal   bool
	AppealBy time.Time
	// ReturnTo is an upheld appeal's: where the case goes back to
	// ("assessment", "decision"; "" in an appeal recorded before it was
	// chosen, which went back to assessment).
	ReturnTo string
	// Scheme, and the level applied for, and for an EQA case the
	// programme's name (opened): how the application pages head the case,
	// which the applicant knows it by rather than by its id (titled).
	Scheme    string
	AppLevel  framework.Level
	Programme string
	// Days before the accreditation runs out (reminders), and its date
	// (the reminders'; the renewal's new end). A template writes it in
	// words in its language ({{date .Until}}: "2 March 2031").
	Days  int
	Until time.Time
	// Minutes a one-time link works.
	Minutes int
	// The interview's time and place; for an account notice, when the
	// change was made. A template writes At in words with the time of day
	// in UTC ({{datetime .At}}: "6 December 2026 14:30 UTC").
	At    time.Time
	Place string
	// Was is a moved interview's time before it moved (zero: the first
	// set, or one set again after it was held).
	Was time.Time
	// Address is the account's new address, masked (MaskAddress), in the
	// notice mailed to the address it left.
	Address string
	// requestID is the information request answered, for the notifier to
	// find who asked (not for the templates).
	requestID string
	// place is the interview's place as its event holds it (sealed), for
	// the notifier to open into Place (not for the templates).
	place accreditation.Place
	// The digest's cases, each an id and a link, and since when it lists
	// the submissions: the recipient's digest before it, which may be
	// days ago (one turned off for a while, a job that did not run).
	Submitted, Overdue []CaseLink
	Since              time.Time
}

// Moved reports whether the interview told is one moved (Was).
func (d Data) Moved() bool { return !d.Was.IsZero() }

// CaseLink is a case in the digest.
type CaseLink struct{ ID, Link string }

type pair struct{ subject, body *template.Template }

// templates by kind, then language ("en", "nl").
var templates = map[Kind]map[string]pair{}

func tpl(k Kind, lang, subject, body string) {
	if templates[k] == nil {
		templates[k] = map[string]pair{}
	}
	name := string(k) + "." + lang
	templates[k][lang] = pair{
		subject: template.Must(template.New(name + ".subject").Funcs(funcs(lang)).Parse(subject)),
		body:    template.Must(template.New(name).Funcs(funcs(lang)).Parse(strings.TrimLeft(body, "\n"))),
	}
}

// funcs are what a template of lang may call: date and datetime write a
// time as the web pages do in that language (domain/dates), level a
// level's name as the framework gives it in that language, count a number
// with its noun in the singular or the plural.
func funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"date":     func(t time.Time) string { return dates.Date(lang, t) },
		"datetime": func(t time.Time) string { return dates.DateTime(lang, t) },
		// count writes n with the noun in its number: "1 day", "2 days".
		"count": func(n int, one, many string) string {
			if n == 1 || n == -1 {
				return fmt.Sprintf("%d %s", n, one)
			}
			return fmt.Sprintf("%d %s", n, many)
		},
		"level": func(l framework.Level) string {
			if li, ok := framework.Default().Level(l); ok {
				return li.Name.In(lang)
			}
			return string(l)
		},
	}
}

// Languages are the languages of the templates; the first is the fallback.
var Languages = []string{"en", "nl"}

// interviewToAssessor keys the templates of the interview's mail to an
// assessor on the case (Data.Role set), who takes part in it rather than
// is interviewed: no kind of its own, for one choice turns off both.
const interviewToAssessor Kind = KindInterview + ".assessor"

// Render returns the subject and the body of kind k in lang (English when
// there is no such template).
func Render(k Kind, lang string, d Data) (subject, body string, err error) {
	if k == KindInterview && d.Role != "" {
		k = interviewToAssessor
	}
	t, ok := templates[k][lang]
	if !ok {
		t, ok = templates[k][Languages[0]]
	}
	if !ok {
		return "", "", fmt.Errorf("no template for %s", k)
	}
	var s, b strings.Builder
	if err := t.subject.Execute(&s, d); err != nil {
		return "", "", fmt.Errorf("template %s: %w", k, err)
	}
	if err := t.body.Execute(&b, d); err != nil {
		return "", "", fmt.Errorf("template %s: %w", k, err)
	}
	return s.String(), b.String(), nil
}

// titled follows a case's id in a mail to its applicant: the case as the
// application pages head it ("EQA · Practitioner · Coaching Plus"), for an
// applicant with several applications to know which one it is.
const titled = `{{if .Scheme}} ({{.Scheme}} · {{level .AppLevel}}{{with .Programme}} · {{.}}{{end}}){{end}}`

const footerEN = `
--
EMCC Accredit. You can choose which emails you receive on your account page.
`

const footerNL = `
--
EMCC Accredit. Op uw accountpagina kiest u welke e-mails u ontvangt.
`

// The footers of a mail to an address not yet confirmed to be the
// user's: nothing about an account its reader may not have.
const plainFooter = `
--
EMCC Accredit.
`

// The account notices' footers: no preference turns these off.
const noticeFooterEN = `
--
EMCC Accredit. Notices of changes to your account's sign-in are always sent.
`

const noticeFooterNL = `
--
EMCC Accredit. Berichten over wijzigingen in hoe u inlogt worden altijd verstuurd.
`

func init() {
	tpl(KindReturned, "en", "Your application {{.CaseID}} was returned", `
Dear {{.Name}},

The EMCC office returned your application {{.CaseID}}`+titled+`. Its reasons are on the
application page; change what is asked and submit it again:

{{.Link}}
`+footerEN)
	tpl(KindReturned, "nl", "Uw aanvraag {{.CaseID}} is teruggestuurd", `
Beste {{.Name}},

Het EMCC-bureau heeft uw aanvraag {{.CaseID}}`+titled+` teruggestuurd. De redenen staan
op de pagina van de aanvraag; pas aan wat gevraagd wordt en dien haar opnieuw in:

{{.Link}}
`+footerNL)
	tpl(KindInformationRequested, "en", "More information is asked on application {{.CaseID}}", `
Dear {{.Name}},

More information is asked on your application {{.CaseID}}`+titled+`. Read the questions
and answer them on the application page:

{{.Link}}
`+footerEN)
	tpl(KindInformationRequested, "nl", "Er is meer informatie gevraagd bij aanvraag {{.CaseID}}", `
Beste {{.Name}},

Er is meer informatie gevraagd bij uw aanvraag {{.CaseID}}`+titled+`. Lees de vragen en
beantwoord ze op de pagina van de aanvraag:

{{.Link}}
`+footerNL)
	tpl(KindDecision, "en", "A decision on your application {{.CaseID}}", `
Dear {{.Name}},

The EMCC has decided on your application {{.CaseID}}`+titled+`: {{if eq .Outcome "awarded"}}accreditation awarded{{with .Level}} at the {{level .}} level{{end}}{{else}}not awarded{{end}}.
The decision and its reasons are on the application page:

{{.Link}}
{{if .Appeal}}
If you disagree with {{if eq .Outcome "awarded"}}the lower level{{else}}the decision{{end}}, you can appeal{{if not .AppealBy.IsZero}} until {{datetime .AppealBy}}{{end}}:
on the application page, under "Appeal against the decision", give your grounds.
Someone not involved in your case so far reviews it.
{{end}}`+footerEN)
	tpl(KindDecision, "nl", "Een besluit over uw aanvraag {{.CaseID}}", `
Beste {{.Name}},

De EMCC heeft besloten over uw aanvraag {{.CaseID}}`+titled+`: {{if eq .Outcome "awarded"}}accreditatie toegekend{{with .Level}} op het niveau {{level .}}{{end}}{{else}}niet toegekend{{end}}.
Het besluit en de redenen staan op de pagina van de aanvraag:

{{.Link}}
{{if .Appeal}}
Bent u het niet eens met {{if eq .Outcome "awarded"}}het lagere niveau{{else}}het besluit{{end}}, dan kunt u{{if not .AppealBy.IsZero}} tot {{datetime .AppealBy}}{{end}} in beroep gaan:
op de pagina van de aanvraag, onder "In beroep gaan tegen het besluit", vult u uw gronden in.
Iemand die nog niet bij uw dossier betrokken was, behandelt het.
{{end}}`+footerNL)
	tpl(KindAppealOutcome, "en", "Your appeal on application {{.CaseID}} is decided", `
Dear {{.Name}},

Your appeal on application {{.CaseID}}`+titled+` is decided: {{if eq .Outcome "upheld"}}upheld{{else}}dismissed{{end}}.
{{if eq .Outcome "upheld"}}The decision is overturned{{with .Certificate}}, and the accreditation it awarded (certificate {{.}}) is withdrawn{{end}}.
{{if eq .ReturnTo "decision"}}Your application goes back to the EMCC office, which decides on it again.{{else}}Your application goes back to its assessor and verifier, who assess it again;
the EMCC office then decides on it anew.{{end}}{{else}}The decision stands.{{end}}
The outcome and its reasons are on the application page:

{{.Link}}
`+footerEN)
	tpl(KindAppealOutcome, "nl", "Uw beroep bij aanvraag {{.CaseID}} is beslist", `
Beste {{.Name}},

Over uw beroep bij aanvraag {{.CaseID}}`+titled+` is beslist: het beroep is {{if eq .Outcome "upheld"}}gegrond{{else}}ongegrond{{end}}.
{{if eq .Outcome "upheld"}}Het besluit vervalt{{with .Certificate}} en de accreditatie die het toekende (certificaat {{.}}) is ingetrokken{{end}}.
{{if eq .ReturnTo "decision"}}Uw aanvraag gaat terug naar het EMCC-bureau, dat er opnieuw over beslist.{{else}}Uw aanvraag gaat terug naar haar assessor en verificateur, die haar opnieuw beoordelen;
daarna beslist het EMCC-bureau er opnieuw over.{{end}}{{else}}Het besluit blijft staan.{{end}}
De uitkomst en de redenen staan op de pagina van de aanvraag:

{{.Link}}
`+footerNL)
	tpl(KindRenewalReminder, "en", "Your accreditation runs out in {{count .Days \"day\" \"days\"}}", `
Dear {{.Name}},

Your EMCC accreditation is valid until {{date .Until}}, {{count .Days "day" "days"}} from now.
Renew it in time on its page:

{{.Link}}
`+footerEN)
	tpl(KindRenewalReminder, "nl", "Uw accreditatie verloopt over {{count .Days \"dag\" \"dagen\"}}", `
Beste {{.Name}},

Uw EMCC-accreditatie is geldig tot {{date .Until}}, over {{count .Days "dag" "dagen"}}.
Verleng haar op tijd op haar pagina:

{{.Link}}
`+footerNL)
	tpl(KindInterview, "en", "Your interview for application {{.CaseID}}{{if .Moved}} is moved{{end}}", `
Dear {{.Name}},

{{if .Moved}}Your interview for application {{.CaseID}}`+titled+` is moved.
It was set for {{datetime .Was}}; it is now set for {{datetime .At}}.{{else}}Your interview for application {{.CaseID}}`+titled+` is set for {{datetime .At}}.{{end}}
Where: {{.Place}}

The details are on the application page; should they change, you are told again:

{{.Link}}
`+footerEN)
	tpl(KindInterview, "nl", "Uw interview voor aanvraag {{.CaseID}}{{if .Moved}} is verplaatst{{end}}", `
Beste {{.Name}},

{{if .Moved}}Uw interview voor aanvraag {{.CaseID}}`+titled+` is verplaatst.
Het was vastgesteld op {{datetime .Was}}; het is nu vastgesteld op {{datetime .At}}.{{else}}Uw interview voor aanvraag {{.CaseID}}`+titled+` is vastgesteld op {{datetime .At}}.{{end}}
Waar: {{.Place}}

De gegevens staan op de pagina van de aanvraag; veranderen ze, dan hoort u het opnieuw:

{{.Link}}
`+footerNL)
	// To the case's assessor or verifier: the case as their workspace heads
	// it, with the place, which they may read.
	tpl(interviewToAssessor, "en", "The interview on case {{.CaseID}}{{if .Moved}} is moved{{else}} is set{{end}}", `
Dear {{.Name}},

{{if .Moved}}The applicant's interview on case {{.CaseID}}`+titled+`, which you take part in as its {{.Role}}, is moved.
It was set for {{datetime .Was}}; it is now set for {{datetime .At}}.{{else}}The applicant's interview on case {{.CaseID}}`+titled+`, which you take part in as its {{.Role}}, is set for {{datetime .At}}.{{end}}
Where: {{.Place}}

Once it has taken place, record it in your workspace before you assess:

{{.Link}}
`+footerEN)
	tpl(interviewToAssessor, "nl", "Het interview bij dossier {{.CaseID}}{{if .Moved}} is verplaatst{{else}} is vastgesteld{{end}}", `
Beste {{.Name}},

{{if .Moved}}Het interview met de aanvrager bij dossier {{.CaseID}}`+titled+`, waaraan u deelneemt als {{if eq .Role "verifier"}}verificateur{{else}}assessor{{end}}, is verplaatst.
Het was vastgesteld op {{datetime .Was}}; het is nu vastgesteld op {{datetime .At}}.{{else}}Het interview met de aanvrager bij dossier {{.CaseID}}`+titled+`, waaraan u deelneemt als {{if eq .Role "verifier"}}verificateur{{else}}assessor{{end}}, is vastgesteld op {{datetime .At}}.{{end}}
Waar: {{.Place}}

Leg het interview vast in uw werkruimte zodra het heeft plaatsgevonden, voordat u beoordeelt:

{{.Link}}
`+footerNL)
	tpl(KindRenewalOutcome, "en", "The renewal of your accreditation (certificate {{.Certificate}})", `
Dear {{.Name}},

{{if eq .Outcome "renew"}}Your EMCC accreditation is renewed, valid until {{date .Until}}.{{else if eq .Outcome "return"}}The renewal of your EMCC accreditation was returned to you: see what is asked, and resubmit it.{{else}}The renewal of your EMCC accreditation was refused.{{end}}
The assessment and its reasons are on the page of your accreditation:

{{.Link}}
`+footerEN)
	tpl(KindRenewalOutcome, "nl", "De verlenging van uw accreditatie (certificaat {{.Certificate}})", `
Beste {{.Name}},

{{if eq .Outcome "renew"}}Uw EMCC-accreditatie is verlengd, geldig tot {{date .Until}}.{{else if eq .Outcome "return"}}De verlenging van uw EMCC-accreditatie is naar u teruggestuurd: lees wat er gevraagd wordt en dien haar opnieuw in.{{else}}De verlenging van uw EMCC-accreditatie is geweigerd.{{end}}
De beoordeling en de redenen staan op de pagina van uw accreditatie:

{{.Link}}
`+footerNL)
	tpl(KindAccreditationEnded, "en", "Your EMCC accreditation has ended (certificate {{.Certificate}})", `
Dear {{.Name}},

The EMCC office has {{if eq .Outcome "revoked"}}revoked{{else}}withdrawn{{end}} your accreditation: it has ended and the public register no longer lists it.
The reason is on the page of your accreditation:

{{.Link}}
`+footerEN)
	tpl(KindAccreditationEnded, "nl", "Uw EMCC-accreditatie is beëindigd (certificaat {{.Certificate}})", `
Beste {{.Name}},

Het EMCC-bureau heeft uw accreditatie {{if eq .Outcome "revoked"}}herroepen{{else}}ingetrokken{{end}}: zij is beëindigd en het openbaar register vermeldt haar niet meer.
De reden staat op de pagina van uw accreditatie:

{{.Link}}
`+footerNL)
	tpl(KindInformationAnswered, "en", "Your questions on case {{.CaseID}} are answered", `
Dear {{.Name}},

The applicant answered the information you asked for on case {{.CaseID}}. Read the answer on the case's page:

{{.Link}}
`+footerEN)
	tpl(KindInformationAnswered, "nl", "Uw vragen bij dossier {{.CaseID}} zijn beantwoord", `
Beste {{.Name}},

De aanvrager heeft de informatie gegeven die u vroeg bij dossier {{.CaseID}}. Lees het antwoord op de pagina van het dossier:

{{.Link}}
`+footerNL)
	// Outcome "renewal": the renewal of the case's accreditation.
	tpl(KindAssigned, "en", "{{if eq .Outcome \"renewal\"}}The renewal of accreditation {{.Certificate}}{{else}}Case {{.CaseID}}{{end}} is assigned to you", `
Dear {{.Name}},

{{if eq .Outcome "renewal"}}The renewal of accreditation {{.Certificate}} is assigned to you. Assess it on the accreditation's page:{{else}}Case {{.CaseID}} is assigned to you{{if eq .Role "verifier"}} as its verifier{{else if eq .Role "assessor"}} as its assessor{{end}}.{{if not .At.IsZero}}
The applicant's interview, which you take part in, is set for {{datetime .At}}.
Where: {{.Place}}
Once it has taken place, record it in your workspace before you assess.{{end}} Open it in your workspace:{{end}}

{{.Link}}
`+footerEN)
	tpl(KindAssigned, "nl", "{{if eq .Outcome \"renewal\"}}De verlenging van accreditatie {{.Certificate}}{{else}}Dossier {{.CaseID}}{{end}} is aan u toegewezen", `
Beste {{.Name}},

{{if eq .Outcome "renewal"}}De verlenging van accreditatie {{.Certificate}} is aan u toegewezen. Beoordeel haar op de pagina van de accreditatie:{{else}}Dossier {{.CaseID}} is aan u toegewezen{{if eq .Role "verifier"}} als verificateur{{else if eq .Role "assessor"}} als assessor{{end}}.{{if not .At.IsZero}}
Het interview met de aanvrager, waaraan u deelneemt, is vastgesteld op {{datetime .At}}.
Waar: {{.Place}}
Leg het vast in uw werkruimte zodra het heeft plaatsgevonden, voordat u beoordeelt.{{end}} Open het in uw werkruimte:{{end}}

{{.Link}}
`+footerNL)
	tpl(KindPasswordReset, "en", "Set a new password for EMCC Accredit", `
Dear {{.Name}},

Someone asked to set a new password for your EMCC Accredit account. If it was
you, follow this link within {{count .Minutes "minute" "minutes"}}; it works once:

{{.Link}}

If it was not you, ignore this email: your password stays as it is.
`+noticeFooterEN)
	tpl(KindPasswordReset, "nl", "Stel een nieuw wachtwoord in voor EMCC Accredit", `
Beste {{.Name}},

Er is gevraagd een nieuw wachtwoord in te stellen voor uw EMCC Accredit-account.
Was u dat, volg dan binnen {{count .Minutes "minuut" "minuten"}} deze link; hij werkt één keer:

{{.Link}}

Was u het niet, negeer dan deze e-mail: uw wachtwoord blijft zoals het is.
`+noticeFooterNL)
	// Mailed to an address not yet confirmed to be the account holder's:
	// whoever reads it may be someone else, so it does not name them
	// (the recovery service gives it no name either).
	tpl(KindEmailVerification, "en", "Confirm your new email address for EMCC Accredit", `
Hello,

Confirm that this is your new email address for EMCC Accredit by following
this link within {{count .Minutes "minute" "minutes"}}; until then your old address stays:

{{.Link}}

If you did not ask for this, ignore this email: nothing changes.
`+plainFooter)
	tpl(KindEmailVerification, "nl", "Bevestig uw nieuwe e-mailadres voor EMCC Accredit", `
Goedendag,

Bevestig dat dit uw nieuwe e-mailadres voor EMCC Accredit is door binnen
{{count .Minutes "minuut" "minuten"}} deze link te volgen; tot dan blijft uw oude adres gelden:

{{.Link}}

Hebt u hier niet om gevraagd, negeer dan deze e-mail: er verandert niets.
`+plainFooter)
	tpl(KindPasswordChanged, "en", "Your EMCC Accredit password was changed", `
Dear {{.Name}},

The password of your EMCC Accredit account was changed on {{datetime .At}}, and every
other session of the account ended.

If it was you, there is nothing more to do. If it was not, set a new password
at once with this link, and tell the EMCC office:

{{.Link}}
`+noticeFooterEN)
	tpl(KindPasswordChanged, "nl", "Uw wachtwoord voor EMCC Accredit is gewijzigd", `
Beste {{.Name}},

Het wachtwoord van uw EMCC Accredit-account is gewijzigd op {{datetime .At}}, en alle
andere sessies van het account zijn beëindigd.

Was u dat, dan hoeft u niets te doen. Was u het niet, stel dan meteen een nieuw
wachtwoord in met deze link, en meld het aan het EMCC-bureau:

{{.Link}}
`+noticeFooterNL)
	tpl(KindEmailChanged, "en", "The email address of your EMCC Accredit account was changed", `
Dear {{.Name}},

The email address of your EMCC Accredit account was changed on {{datetime .At}} to
{{.Address}}. Email about the account now goes there, not to this address.

If it was you, there is nothing more to do. If it was not, tell the EMCC
office at once: it can disable the account and give you a link to set a new
password. A reset asked on the website would go to the new address.
`+noticeFooterEN)
	tpl(KindEmailChanged, "nl", "Het e-mailadres van uw EMCC Accredit-account is gewijzigd", `
Beste {{.Name}},

Het e-mailadres van uw EMCC Accredit-account is gewijzigd op {{datetime .At}} in
{{.Address}}. E-mail over het account gaat nu daarheen, niet meer naar dit adres.

Was u dat, dan hoeft u niets te doen. Was u het niet, meld het dan meteen aan
het EMCC-bureau: het kan het account blokkeren en u een link geven om een nieuw
wachtwoord in te stellen. Een herstel via de website zou naar het nieuwe adres gaan.
`+noticeFooterNL)
	// Neither notice gives the office's reason (see handleAccount).
	tpl(KindAccountDisabled, "en", "Your EMCC Accredit account is disabled", `
Dear {{.Name}},

The EMCC office disabled your EMCC Accredit account on {{datetime .At}}.
While it is disabled you cannot log in; every session of the account has ended.

Your applications and records are kept as they are.

If you think this is a mistake, contact the EMCC office.
`+noticeFooterEN)
	tpl(KindAccountDisabled, "nl", "Uw EMCC Accredit-account is geblokkeerd", `
Beste {{.Name}},

Het EMCC-bureau heeft uw EMCC Accredit-account geblokkeerd op {{datetime .At}}.
Zolang het geblokkeerd is, kunt u niet inloggen; alle sessies van het account
zijn beëindigd.

Uw aanvragen en gegevens blijven bewaard zoals ze zijn.

Denkt u dat dit een vergissing is, neem dan contact op met het EMCC-bureau.
`+noticeFooterNL)
	tpl(KindAccountEnabled, "en", "Your EMCC Accredit account is enabled again", `
Dear {{.Name}},

The EMCC office enabled your EMCC Accredit account again on {{datetime .At}}.
You can log in again with the password you had:

{{.Link}}

If you no longer know it, set a new one with "Forgot your password?" on that page.
`+noticeFooterEN)
	tpl(KindAccountEnabled, "nl", "Uw EMCC Accredit-account is gedeblokkeerd", `
Beste {{.Name}},

Het EMCC-bureau heeft uw EMCC Accredit-account gedeblokkeerd op {{datetime .At}}.
U kunt weer inloggen met het wachtwoord dat u had:

{{.Link}}

Weet u het niet meer, stel dan een nieuw wachtwoord in met "Wachtwoord vergeten?" op die pagina.
`+noticeFooterNL)
	tpl(KindSessionsEnded, "en", "You were logged out of EMCC Accredit", `
Dear {{.Name}},

The EMCC office ended every session of your EMCC Accredit account on {{datetime .At}}:
you are logged out in every browser and on every device. Log in again to go on:

{{.Link}}

If you do not know why, contact the EMCC office, and to be safe set a new password
with "Forgot your password?" on that page.
`+noticeFooterEN)
	tpl(KindSessionsEnded, "nl", "U bent uitgelogd uit EMCC Accredit", `
Beste {{.Name}},

Het EMCC-bureau heeft alle sessies van uw EMCC Accredit-account beëindigd op {{datetime .At}}:
u bent in elke browser en op elk apparaat uitgelogd. Log opnieuw in om verder te gaan:

{{.Link}}

Weet u niet waarom, neem dan contact op met het EMCC-bureau en stel voor de zekerheid
een nieuw wachtwoord in met "Wachtwoord vergeten?" op die pagina.
`+noticeFooterNL)
	tpl(KindResetLinkIssued, "en", "The EMCC office made a link to set your EMCC Accredit password", `
Dear {{.Name}},

The EMCC office made a link to set a new password for your EMCC Accredit account on
{{datetime .At}}. The office gives it to you itself; it works once, for a short time.
Your password stays as it is until the link is used.

If you asked the office for it, there is nothing more to do. If you did not, contact
the EMCC office at once. You can still log in here:

{{.Link}}
`+noticeFooterEN)
	tpl(KindResetLinkIssued, "nl", "Het EMCC-bureau heeft een link gemaakt om uw wachtwoord voor EMCC Accredit in te stellen", `
Beste {{.Name}},

Het EMCC-bureau heeft op {{datetime .At}} een link gemaakt om een nieuw wachtwoord
voor uw EMCC Accredit-account in te stellen. Het bureau geeft u die zelf; hij werkt
één keer, korte tijd. Uw wachtwoord blijft zoals het is tot de link gebruikt wordt.

Hebt u het bureau erom gevraagd, dan hoeft u niets te doen. Zo niet, neem dan meteen
contact op met het EMCC-bureau. U kunt hier nog steeds inloggen:

{{.Link}}
`+noticeFooterNL)
	tpl(KindDigest, "en", "EMCC Accredit: {{len .Submitted}} new, {{len .Overdue}} overdue", `
Dear {{.Name}},

New submissions since {{datetime .Since}}: {{len .Submitted}}
{{range .Submitted}}- {{.ID}}: {{.Link}}
{{end}}
Overdue cases: {{len .Overdue}}
{{range .Overdue}}- {{.ID}}: {{.Link}}
{{end}}
All cases: {{.Link}}
`+footerEN)
	tpl(KindDigest, "nl", "EMCC Accredit: {{len .Submitted}} nieuw, {{len .Overdue}} over tijd", `
Beste {{.Name}},

Nieuwe aanvragen sinds {{datetime .Since}}: {{len .Submitted}}
{{range .Submitted}}- {{.ID}}: {{.Link}}
{{end}}
Dossiers over tijd: {{len .Overdue}}
{{range .Overdue}}- {{.ID}}: {{.Link}}
{{end}}
Alle dossiers: {{.Link}}
`+footerNL)
}
