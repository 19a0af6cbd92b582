package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/emcc/accredit/domain"
)

// tr translates key into lang ("en" or "nl"), formatting args into it with
// fmt. A key missing from the catalogue shows as ⟦key⟧, which the tests
// look for on every page.
func tr(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	s := m.en
	if lang == "nl" && m.nl != "" {
		s = m.nl
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// hasMessage reports whether the catalogue has key.
func hasMessage(key string) bool {
	_, ok := messages[key]
	return ok
}

func isLang(s string) bool { return slices.Contains(langs, s) }

// pickLang is the visitor's language: the cookie, else the browser's
// preference, else English.
func pickLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && isLang(c.Value) {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		base, _, _ := strings.Cut(tag, "-")
		if isLang(base) {
			return base
		}
	}
	return langs[0]
}

// reasons translates the domain's most common field reasons; others are
// shown as the domain wrote them (in English).
var reasons = map[string]string{
	"required":                                    "verplicht",
	"a valid email address":                       "een geldig e-mailadres",
	"at least 12 characters":                      "minstens 12 tekens",
	"required, at least 12 characters":            "verplicht, minstens 12 tekens",
	"at most 256 characters":                      "hoogstens 256 tekens",
	"required, at most 200 characters":            "verplicht, hoogstens 200 tekens",
	"required, at most 300 characters":            "verplicht, hoogstens 300 tekens",
	"already registered":                          "is al geregistreerd",
	"must not be in the future":                   "mag niet in de toekomst liggen",
	"type not accepted":                           "dit bestandstype wordt niet aanvaard",
	"empty":                                       "leeg",
	"at least one of EIA, EQA":                    "minstens één van EIA, EQA",
	"at least one language code":                  "minstens één taalcode",
	"must be accepted or returned":                "moet aanvaard of teruggestuurd zijn",
	"must be awarded or not_awarded":              "moet toegekend of niet toegekend zijn",
	"must be upheld or dismissed":                 "moet gegrond of ongegrond zijn",
	"not an assessor":                             "is geen assessor",
	"no such active user":                         "geen actieve gebruiker",
	"a two-letter language code such as en or nl": "een taalcode van twee letters, zoals en of nl",
	"holds an invisible or control character":     "bevat een onzichtbaar teken of stuurteken",
	"too long (at most 254 bytes)":                "te lang (hoogstens 254 bytes)",
	"the domain is not a valid domain name":       "het domein is geen geldige domeinnaam",
	"must not be only spaces":                     "mag niet alleen uit spaties bestaan",
	"a common password, or made from one":         "een veelgebruikt wachtwoord, of daarvan gemaakt",
	"one of applicant, assessor, office":          "kies een rol: aanvrager, assessor of bureau",
	"one of foundation, practitioner, senior_practitioner, master_practitioner": "kies een niveau",
	// Refusals of the pages' own forms that the web does not check first.
	"required: the payment's reference":                                    "verplicht: het betalingskenmerk",
	"only when the fee is waived":                                          "alleen als de vergoeding wordt kwijtgescholden",
	"only when the fee is paid":                                            "alleen als de vergoeding is betaald",
	"required: an address or a link":                                       "verplicht: een adres of een link",
	"the assessor themself: a conflict of interest is with another person": "de assessor zelf: een belangenconflict is er met iemand anders",
	// A file sent to be verified as a credential.
	"over 64 KiB": "meer dan 64 KiB",
	"empty: send the credential file (.jwt) you downloaded":                                        "leeg: kies het credentialbestand (.jwt) dat u downloadde",
	`JSON without a "jwt" member: send the .jwt file, or the JSON the credential download answers`: `JSON zonder "jwt": kies het .jwt-bestand, of de JSON die de download van de credential geeft`,
	// Choices a form offers, refused when a value it did not offer is sent.
	"must be empty for not_award":                             "moet leeg zijn bij het advies niet toe te kennen",
	"must be assessor or verifier":                            "moet assessor of verificateur zijn",
	"must be renew, refuse or return":                         "moet verlengen, weigeren of terugsturen zijn",
	"must be for, against or abstain":                         "moet voor, tegen of onthouding zijn",
	"must be award, award_lower or not_award":                 "kies een advies",
	"must be not_evidenced, partially_evidenced or evidenced": "kies een waardering",
	"must be EIA or EQA":                                      "moet EIA of EQA zijn",
	"EIA or EQA":                                              "EIA of EQA",
	`"", "en" or "nl"`:                                        "kies een taal uit de lijst",
	// The figures of the office's rules form.
	"must be at least 1: leave it empty for no limit":       "moet minstens 1 zijn; laat het veld leeg voor geen grens",
	"1 (required) or 0 (not required)":                      "1 (vereist) of 0 (niet vereist)",
	"an amount in euros to the cent, such as 450 or 450.50": "een bedrag in euro tot op de cent, zoals 450 of 450,50",
}

// limitReasons translate the reasons of domain/limits, which carry numbers.
var limitReasons = []struct {
	re *regexp.Regexp
	nl string
}{
	{regexp.MustCompile(`^at most (\d+) characters$`), "hoogstens $1 tekens"},
	{regexp.MustCompile(`^at most (\d+) bytes$`), "hoogstens $1 bytes"},
	{regexp.MustCompile(`^at most (\d+) items$`), "hoogstens $1 items"},
	{regexp.MustCompile(`^must be a number from (\S+) to (\S+)$`), "moet een getal van $1 tot $2 zijn"},
	{regexp.MustCompile(`^must not be before (\S+)$`), "mag niet voor $1 liggen"},
	{regexp.MustCompile(`^category (\d+) is given twice; each category at most once$`), "categorie $1 staat er twee keer; elke categorie hoogstens één keer"},
	// A word in a list of languages.
	{regexp.MustCompile(`^"(.+)" is not a two-letter language code$`), `"$1" is geen taalcode van twee letters`},
	// The dates of rule sets and interviews.
	{regexp.MustCompile(`^a date such as (\S+)$`), "een datum zoals $1"},
	{regexp.MustCompile(`^required: the day the rules take effect, such as (\S+)$`), "verplicht: de dag waarop de regels ingaan, zoals $1"},
	{regexp.MustCompile(`^must be today \((\S+)\) or later: rules are never changed for the past$`), "moet vandaag ($1) of later zijn: regels worden nooit voor het verleden gewijzigd"},
	{regexp.MustCompile(`^must be within (\d+) years from today \(by (\S+)\)$`), "moet binnen $1 jaar vanaf vandaag liggen (uiterlijk $2)"},
	{regexp.MustCompile(`^must not be before (\S+), when (\S+) takes effect \((\S+), scheduled, would be replaced by this version\)$`), "mag niet voor $1 liggen, wanneer $2 ingaat ($3, gepland, zou door deze versie worden vervangen)"},
	{regexp.MustCompile(`^must be after now \((\S+)\)$`), "moet na nu liggen ($1)"},
	// The awarding panel's size.
	{regexp.MustCompile(`^the panel has (\d+) members?; the quorum is (\d+)$`), "het panel heeft $1 leden; het quorum is $2"},
	{regexp.MustCompile(`^must be within (\d+) days from now \(by (\S+)\)$`), "moet binnen $1 dagen vanaf nu liggen (uiterlijk $2)"},
	// A figure of the office's rules form.
	{regexp.MustCompile(`^must be from (\d+) to (\d+)$`), "moet van $1 tot $2 zijn"},
	// The level of a decision, a moderation or an assessment.
	{regexp.MustCompile(`^required for an award: one of .+$`), "verplicht bij een toekenning: kies een niveau"},
	{regexp.MustCompile(`^\S+ is above the level applied for, \S+$`), "ligt boven het aangevraagde niveau"},
	{regexp.MustCompile(`^".*" is not a level: one of .+$`), "kies een niveau"},
	{regexp.MustCompile(`^must be one of .+$`), "kies een waarde uit de lijst"},
	{regexp.MustCompile(`^required for award_lower: a level below \S+$`), "verplicht bij toekennen op een lager niveau: kies een niveau onder dat van het dossier"},
	{regexp.MustCompile(`^\S+ is not below the case level \S+$`), "ligt niet onder het niveau van het dossier"},
	{regexp.MustCompile(`^an award is at the case level \S+; use award_lower for a lower one$`), "een toekenning is op het niveau van het dossier; kies voor een lager niveau “Toekennen op een lager niveau”"},
	// An assessor's profile, an account's email choices.
	{regexp.MustCompile(`^unknown scheme "(.*)"$`), `onbekende regeling "$1"`},
	{regexp.MustCompile(`^unknown user "(.*)"$`), `onbekende gebruiker "$1"`},
	{regexp.MustCompile(`^unknown kind \S+ for a user of role \S+$`), "geen e-mail voor uw rol"},
}

// wholeNumberOf is the rules form's reason for a fraction of a count; its
// unit is said in the reader's words (unit.name.*).
var wholeNumberOf = regexp.MustCompile(`^a whole number of ([a-z]+)$`)

// translateReason gives a field reason in lang.
func translateReason(lang, reason string) string {
	if lang == "nl" {
		if r, ok := reasons[reason]; ok {
			return r
		}
		if m := wholeNumberOf.FindStringSubmatch(reason); m != nil {
			if k := "unit.name." + m[1]; hasMessage(k) {
				return "een geheel aantal " + tr(lang, k)
			}
		}
		for _, l := range limitReasons {
			if l.re.MatchString(reason) {
				return l.re.ReplaceAllString(reason, l.nl)
			}
		}
	}
	return reason
}

// asDomain is errors.As for the domain error.
func asDomain(err error, de **domain.Error) bool {
	return errors.As(err, de)
}
