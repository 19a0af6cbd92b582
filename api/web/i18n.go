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
	"not valid UTF-8":                             "geen geldige UTF-8",
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
	"give the vote of at least one member":        "geef de stem van ten minste één lid",
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
	"one of foundation, practitioner, senior_practitioner, master_practitioner": "kies een niveau uit foundation, practitioner, senior_practitioner, master_practitioner",
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
	// Choices a form offers, refused when a value it did not offer is sent:
	// the values allowed stay named, as codes where the English gives codes
	// (TestEveryReasonKeepsTheValuesItAllowsInDutch).
	"must be empty for not_award":                             "moet leeg zijn bij het advies niet toe te kennen",
	"must be assessor or verifier":                            "moet assessor of verificateur zijn",
	"must be renew, refuse or return":                         "moet verlengen, weigeren of terugsturen zijn",
	"must be for, against or abstain":                         "moet voor, tegen of onthouding zijn",
	"must be award, award_lower or not_award":                 "moet award, award_lower of not_award zijn",
	"must be not_evidenced, partially_evidenced or evidenced": "moet not_evidenced, partially_evidenced of evidenced zijn",
	"must be EIA or EQA":                                      "moet EIA of EQA zijn",
	"EIA or EQA":                                              "EIA of EQA",
	`"", "en" or "nl"`:                                        `moet "", "en" of "nl" zijn`,
	`"en" or "nl"`:                                            `moet "en" of "nl" zijn`,
	// The figures of the office's rules form.
	"must be at least 1: leave it empty for no limit":       "moet minstens 1 zijn; laat het veld leeg voor geen grens",
	"1 (required) or 0 (not required)":                      "1 (vereist) of 0 (niet vereist)",
	"an amount in euros to the cent, such as 450 or 450.50": "een bedrag in euro tot op de cent, zoals 450 of 450,50",
	// The portfolio, the assessment, the decision, the appeal, the renewal.
	"an accreditation id from the register":                             "een accreditatienummer uit het register",
	"required: letters, digits, '-' and '_', at most 100":               "verplicht: letters, cijfers, '-' en '_', hoogstens 100",
	"must be more than 0":                                               "moet meer dan 0 zijn",
	"must be 64 hexadecimal digits":                                     "moet uit 64 hexadecimale cijfers bestaan",
	"must be a two-letter language code such as en or nl":               "moet een taalcode van twee letters zijn, zoals en of nl",
	"only for an EQA application":                                       "alleen bij een EQA-aanvraag",
	"to ask the applicant for more, use request_information":            "om de aanvrager om meer te vragen, kiest u een verzoek om informatie",
	"only an EQA case rates the review areas":                           "alleen bij een EQA-dossier worden de beoordelingsgebieden gewaardeerd",
	"must be empty when not awarded":                                    "moet leeg zijn als er niet wordt toegekend",
	"must be assessment or decision when upheld":                        "moet beoordeling of besluit zijn als het beroep gegrond is",
	"the applicant cannot sit on their own panel":                       "de aanvrager kan niet in de eigen commissie zitten",
	"required for an award":                                             "verplicht bij een toekenning",
	"must be paid or waived":                                            "moet betaald of kwijtgescholden zijn",
	"only for an EQA programme":                                         "alleen bij een EQA-programma",
	"only for an EIA accreditation":                                     "alleen bij een EIA-accreditatie",
	"not an active EMCC office user":                                    "geen actieve gebruiker van het EMCC-bureau",
	"not an EQA-accredited programme in force on the register":          "geen EQA-geaccrediteerd programma dat in het register van kracht is",
	"at least one category":                                             "minstens één categorie",
	"a level":                                                           "kies een niveau",
	"one of not_yet, partly, consistently":                              "kies een waardering uit not_yet, partly, consistently",
	"only EIA has a route for graduates of an EQA-accredited programme": "alleen EIA heeft een route voor afgestudeerden van een EQA-geaccrediteerd programma",
	// Accounts and their links.
	"does not match":                        "komt niet overeen",
	"must be applicant, assessor or office": "kies een rol: aanvrager, assessor of bureau",
	"this is your address already":          "dit is al uw adres",
	"too many wrong passwords":              "te veel onjuiste wachtwoorden",
	"being checked":                         "wordt nog gecontroleerd",
	"this link is not valid: it is wrong, used or older than 30 minutes; ask for a new one": "deze link is niet geldig: hij is onjuist, al gebruikt of ouder dan 30 minuten; vraag een nieuwe aan",
	"1 or more": "1 of meer",
	// Why an assessor may not take or keep a role (accreditation.Exclusion):
	// the reasons a refusal lists (Extra["reasons"]).
	"the assessor is not active":                 "de assessor is niet actief",
	"the applicant cannot assess their own case": "de aanvrager kan de eigen aanvraag niet beoordelen",
	"already the assessor of this case: the assessor and the verifier are two different people": "is al de assessor van dit dossier: de assessor en de verificateur zijn twee verschillende personen",
	"already the verifier of this case: the assessor and the verifier are two different people": "is al de verificateur van dit dossier: de assessor en de verificateur zijn twee verschillende personen",
	"declared a conflict of interest with the applicant":                                        "heeft een belangenconflict met de aanvrager gemeld",
	"the EMCC office took them off this case":                                                   "het EMCC-bureau heeft de assessor van dit dossier gehaald",
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
	// The version a rule set is edited from (a hidden field of the form).
	{regexp.MustCompile(`^required: the id of the version edited from, the latest: "(\S+)"$`), `verplicht: de id van de versie waarvan is uitgegaan, de laatste: "$1"`},
	{regexp.MustCompile(`^not the id of a version of the (\S+) rules: the latest is "(\S+)"$`), `geen id van een versie van de $1-regels: de laatste is "$2"`},
	// The awarding panel's size: one member is één lid, not 1 leden.
	{regexp.MustCompile(`^the panel has 1 members?; the quorum is (\d+)$`), "de commissie heeft 1 lid; het quorum is $1"},
	{regexp.MustCompile(`^the panel has (\d+) members?; the quorum is (\d+)$`), "de commissie heeft $1 leden; het quorum is $2"},
	{regexp.MustCompile(`^must be within (\d+) days from now \(by (\S+)\)$`), "moet binnen $1 dagen vanaf nu liggen (uiterlijk $2)"},
	// A figure of the office's rules form.
	{regexp.MustCompile(`^must be from (\d+) to (\d+)$`), "moet van $1 tot $2 zijn"},
	// The level of a decision, a moderation or an assessment: the levels
	// stay named, as codes as the English gives them
	// (TestEveryReasonKeepsTheLevelsItNamesInDutch).
	{regexp.MustCompile(`^required for an award: one of (.+)$`), "verplicht bij een toekenning: kies een niveau uit $1"},
	{regexp.MustCompile(`^(\S+) is above the level applied for, (\S+)$`), "$1 ligt boven het aangevraagde niveau, $2"},
	{regexp.MustCompile(`^"(.*)" is not a level: one of (.+)$`), `"$1" is geen niveau; kies een niveau uit $2`},
	// A value not among those allowed: the list is said as the domain
	// writes it (the values are what a request sends), and not left out.
	{regexp.MustCompile(`^must be one of the kinds of (\S+) evidence: (.*)$`), "kies een soort bewijsstuk van $1: $2"},
	{regexp.MustCompile(`^must be one of (.+)$`), "kies een van: $1"},
	{regexp.MustCompile(`^required for award_lower: a level below (\S+)$`), "verplicht bij toekennen op een lager niveau: kies een niveau onder dat van het dossier, $1"},
	{regexp.MustCompile(`^(\S+) is not below the case level (\S+)$`), "$1 ligt niet onder het niveau van het dossier, $2"},
	{regexp.MustCompile(`^an award is at the case level (\S+); use award_lower for a lower one$`), "een toekenning is op het niveau van het dossier, $1; kies voor een lager niveau “Toekennen op een lager niveau”"},
	// An assessor's profile, an account's email choices.
	{regexp.MustCompile(`^unknown scheme "(.*)"$`), `onbekende regeling "$1"`},
	{regexp.MustCompile(`^unknown user "(.*)"$`), `onbekende gebruiker "$1"`},
	{regexp.MustCompile(`^unknown kind \S+ for a user of role \S+$`), "geen e-mail voor uw rol"},
	{regexp.MustCompile(`^required, at most (\d+) characters$`), "verplicht, hoogstens $1 tekens"},
	{regexp.MustCompile(`^a number from (\S+) to (\S+)$`), "een getal van $1 tot $2"},
	{regexp.MustCompile(`^one of (.+)$`), "kies een van: $1"},
	// The portfolio and the renewal's practice log.
	{regexp.MustCompile(`^not part of an (\S+) portfolio$`), "hoort niet bij een $1-portfolio"},
	{regexp.MustCompile(`^does not match the case id "(.*)"$`), `komt niet overeen met het dossiernummer "$1"`},
	{regexp.MustCompile(`^the hours of each of the last (\d+) quarters, oldest first: (\d+) numbers, not (\d+)$`), "de uren van elk van de laatste $1 kwartalen, oudste eerst: $2 getallen, niet $3"},
	{regexp.MustCompile(`^give the practice log of each of the (\d+) years of the period, oldest first: (\d+) given$`), "geef het praktijklogboek van elk van de $1 jaren van de periode, oudste eerst: er zijn er $2 gegeven"},
	{regexp.MustCompile(`^the hours of each of the year's (\d+) quarters, oldest first: (\d+) numbers, not (\d+)$`), "de uren van elk van de $1 kwartalen van het jaar, oudste eerst: $2 getallen, niet $3"},
	{regexp.MustCompile(`^"(.*)" is not an aim; one of (.+)$`), `"$1" is geen doel; kies een doel uit $2`},
	{regexp.MustCompile(`^not an aim; one of (.+)$`), "geen doel; kies een doel uit $1"},
	{regexp.MustCompile(`^category (\d+) does not exist; categories are 1\.\.(\d+)$`), "categorie $1 bestaat niet; de categorieën zijn 1 tot en met $2"},
	{regexp.MustCompile(`^indicator (\d+) does not exist in the framework$`), "indicator $1 bestaat niet in het raamwerk"},
	{regexp.MustCompile(`^no capability indicator (\d+) in the framework$`), "vaardigheidsindicator $1 bestaat niet in het raamwerk"},
	{regexp.MustCompile(`^indicator (\d+) belongs to category (\d+), not (\d+)$`), "indicator $1 hoort bij categorie $2, niet bij $3"},
	{regexp.MustCompile(`^indicator (\d+) is at level (\S+), above the case level (\S+)$`), "indicator $1 ligt op niveau $2, boven het niveau van het dossier, $3"},
	// The self-assessment, the assessment, the observation.
	{regexp.MustCompile(`^category (\d+) rated twice$`), "categorie $1 is twee keer gewaardeerd"},
	{regexp.MustCompile(`^category (\d+) not rated; rate all (\d+)$`), "categorie $1 is niet gewaardeerd; waardeer ze alle $2"},
	{regexp.MustCompile(`^category (\d+) observed twice$`), "categorie $1 is twee keer waargenomen"},
	{regexp.MustCompile(`^indicator (\d+) is rated twice$`), "indicator $1 is twee keer gewaardeerd"},
	{regexp.MustCompile(`^(\S+) rated twice$`), "$1 is twee keer gewaardeerd"},
	{regexp.MustCompile(`^(\S+) not rated; an EQA review rates all (\d+) areas$`), "$1 is niet gewaardeerd; een EQA-beoordeling waardeert alle $2 gebieden"},
	// The panel, the roles.
	{regexp.MustCompile(`^(\S+) is on the panel twice$`), "$1 staat twee keer in de commissie"},
	{regexp.MustCompile(`^(\S+) is the \S+ of this case: the panel is advised by the assessors, not made of them$`), "$1 beoordeelt dit dossier als assessor of verificateur: de assessoren adviseren de commissie, ze maken er geen deel van uit"},
	{regexp.MustCompile(`^(\S+) already holds the \S+ role; choose someone else$`), "$1 heeft deze rol al; kies iemand anders"},
	// Evidence and its quota.
	{regexp.MustCompile(`^its name does not match its content \((.*)\)$`), "de naam past niet bij de inhoud ($1)"},
	{regexp.MustCompile(`^over the quota of (\d+) files per case$`), "meer dan het maximum van $1 bestanden per dossier"},
	{regexp.MustCompile(`^over the quota of (\d+) bytes per case$`), "meer dan het maximum van $1 bytes per dossier"},
	{regexp.MustCompile(`^over the quota of (\d+) bytes per applicant$`), "meer dan het maximum van $1 bytes per aanvrager"},
	// The office's rules form.
	{regexp.MustCompile(`^(\S+) is given twice$`), "$1 staat er twee keer in"},
	{regexp.MustCompile(`^not a rule of (\S+); one of (.+)$`), "geen regel van $1; kies een regel uit $2"},
	{regexp.MustCompile(`^"(.*)" is not a level; one of (.+)$`), `"$1" is geen niveau; kies een niveau uit $2`},
	{regexp.MustCompile(`^required: the text in (\S+)$`), "verplicht: de tekst in taal $1"},
	{regexp.MustCompile(`^en and nl only, not "(.*)"$`), `alleen de talen en en nl, niet "$1"`},
	{regexp.MustCompile(`^a whole number of (\S+)$`), "een geheel aantal $1"}, // a unit wholeNumberOf does not know
	// Why an assessor may not take or keep a role (accreditation.Exclusion).
	{regexp.MustCompile(`^not qualified for (\S+)$`), "niet bevoegd voor $1"},
	{regexp.MustCompile(`^qualified up to "(.*)", below the case level "(.*)"$`), `bevoegd tot "$1", onder het niveau van het dossier "$2"`},
	{regexp.MustCompile(`^does not assess in the case language "(.*)"$`), `beoordeelt niet in de taal van het dossier "$1"`},
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
