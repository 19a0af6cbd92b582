package web

import (
	"regexp"
	"strings"
)

// The Dutch of the domain's messages without a field that problemTexts
// does not word in both languages: an English page shows the domain's own
// words, a Dutch one these, with the detail they carry (TestEveryRefusal
// HasDutch finds a message missing here). Ids stay as the domain names
// them; codes (a role, a status) are said in the reader's words.

// problemNL is one message's Dutch: nl, a template of the re's groups
// ($1, $2), or words when codes in it need words of their own.
type problemNL struct {
	re    *regexp.Regexp
	nl    string
	words func(x *ctx, m []string) string
}

// dutchProblem is msg in Dutch, "" when problemsNL does not know it.
func dutchProblem(x *ctx, msg string) string {
	for _, p := range problemsNL {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		if p.words != nil {
			return p.words(x, m[1:])
		}
		return p.re.ReplaceAllString(msg, p.nl)
	}
	return ""
}

// onlyMay is the Dutch of forbidden's "cannot <step>: only ... may".
func onlyMay(who string) string {
	return "U mag deze stap niet zetten: alleen " + who + " mag dat."
}

// roleWords is an assessor role (assessor, verifier) as the pages say it.
func roleWords(x *ctx, role string) string {
	if k := "crole." + role; hasMessage(k) {
		return x.T(k)
	}
	return role
}

var problemsNL = []problemNL{
	// Who may take a step (accreditation's forbidden): a form sent by
	// someone the case moved away from since the page was opened.
	{re: regexp.MustCompile(`^cannot [^:]+: only the case's applicant may$`), nl: onlyMay("de aanvrager van dit dossier")},
	{re: regexp.MustCompile(`^cannot [^:]+: only the EMCC office may$`), nl: onlyMay("het EMCC-bureau")},
	{re: regexp.MustCompile(`^cannot [^:]+: only the EMCC office or the holder may$`), nl: onlyMay("het EMCC-bureau of de houder van de accreditatie")},
	{re: regexp.MustCompile(`^cannot [^:]+: only the holder of the accreditation may$`), nl: onlyMay("de houder van de accreditatie")},
	{re: regexp.MustCompile(`^cannot [^:]+: only an assessor may claim a case$`), nl: "U mag deze stap niet zetten: alleen een assessor kan een dossier op zich nemen."},
	{re: regexp.MustCompile(`^cannot [^:]+: an assessor claims a case only for themselves$`), nl: "U mag deze stap niet zetten: een assessor neemt een dossier alleen voor zichzelf op zich."},
	{re: regexp.MustCompile(`^cannot [^:]+: only the case's assigned assessor or verifier may$`), nl: onlyMay("de assessor of verificateur die aan dit dossier is toegewezen,")},
	{re: regexp.MustCompile(`^cannot [^:]+: only the case's assessor or verifier may$`), nl: onlyMay("de assessor of verificateur van dit dossier")},
	{re: regexp.MustCompile(`^cannot [^:]+: only the case's assessor or verifier, or the EMCC office, may$`), nl: onlyMay("de assessor of verificateur van dit dossier, of het EMCC-bureau,")},
	{re: regexp.MustCompile(`^cannot [^:]+: you are the (\S+) of this case$`), words: func(x *ctx, m []string) string {
		return "U mag deze stap niet zetten: u bent " + roleWords(x, m[0]) + "."
	}},
	{re: regexp.MustCompile(`^cannot [^:]+: an appeal is reviewed by someone not involved before; you were .+$`),
		nl: "U mag deze stap niet zetten: een beroep wordt beoordeeld door iemand die er eerder niet bij betrokken was, en u was er wel bij betrokken."},
	{re: regexp.MustCompile(`^cannot [^:]+: only an applicant may open a case$`), nl: "U mag deze stap niet zetten: alleen een aanvrager kan een dossier openen."},
	{re: regexp.MustCompile(`^cannot publish rules: only the EMCC office may$`), nl: "U mag geen regels publiceren: alleen het EMCC-bureau mag dat."},

	// What a page asked for that is not (or no longer) there.
	{re: regexp.MustCompile(`^no case (\S+)$`), nl: "Dossier $1 bestaat niet, of u mag het niet inzien."},
	{re: regexp.MustCompile(`^cannot [^:]+: case "(.*)" does not exist$`), nl: "Dossier $1 bestaat niet."},
	{re: regexp.MustCompile(`^cannot end case "(.*)": it does not exist$`), nl: "Dossier $1 kan niet worden beëindigd: het bestaat niet."},
	{re: regexp.MustCompile(`^case (\S+) had not been opened at version (\d+)$`), nl: "Dossier $1 was bij versie $2 nog niet geopend."},
	{re: regexp.MustCompile(`^case (\S+) had not been opened at (\S+)$`), words: func(x *ctx, m []string) string {
		return "Dossier " + m[0] + " was op " + problemTime(x, m[1]) + " nog niet geopend."
	}},
	{re: regexp.MustCompile(`^case (\S+) had not been opened .+$`), nl: "Dossier $1 was op dat moment nog niet geopend."},
	{re: regexp.MustCompile(`^no user (\S+)$`), nl: "Gebruiker $1 bestaat niet."},
	{re: regexp.MustCompile(`^no accreditation (\S+)$`), nl: "Accreditatie $1 bestaat niet."},
	{re: regexp.MustCompile(`^no accreditation (\S+) in force: the case's accreditation is now (\S+)$`), words: func(x *ctx, m []string) string {
		status := m[1]
		if k := "astatus." + status; hasMessage(k) {
			status = strings.ToLower(x.T(k))
		}
		return "Accreditatie " + m[0] + " is niet van kracht: de accreditatie van het dossier is nu " + status + "."
	}},
	{re: regexp.MustCompile(`^no evidence (\S+) in case (\S+)$`), nl: "Bewijsstuk $1 staat niet (meer) in dossier $2."},
	{re: regexp.MustCompile(`^the file of evidence (\S+) is not stored$`), nl: "Het bestand van bewijsstuk $1 is niet opgeslagen."},
	{re: regexp.MustCompile(`^the file of evidence (\S+) was erased$`), nl: "Het bestand van bewijsstuk $1 is gewist."},
	{re: regexp.MustCompile(`^no earlier application (\S+)$`), nl: "Eerdere aanvraag $1 bestaat niet."},
	{re: regexp.MustCompile(`^no message (\S+)$`), nl: "Bericht $1 bestaat niet."},
	{re: regexp.MustCompile(`^no rules (\S+)$`), nl: "Regels $1 bestaan niet."},
	{re: regexp.MustCompile(`^no scheme (\S+)$`), nl: "Regeling $1 bestaat niet."},
	{re: regexp.MustCompile(`^no competence category (\S+)$`), nl: "Competentiecategorie $1 bestaat niet."},
	{re: regexp.MustCompile(`^no capability indicator (\S+)$`), nl: "Vaardigheidsindicator $1 bestaat niet."},
	{re: regexp.MustCompile(`^no self-check "(.*)" of yours$`), nl: "U heeft geen zelfcheck $1."},
	{re: regexp.MustCompile(`^no status list "(.*)": there are "(.*)" and "(.*)"$`), nl: "Statuslijst $1 bestaat niet: er zijn $2 en $3."},
	{re: regexp.MustCompile(`^no such file$`), nl: "Dit bestand bestaat niet."},
	{re: regexp.MustCompile(`^email is not configured$`), nl: "E-mail is op deze server niet ingesteld."},
	{re: regexp.MustCompile(`^account recovery is not configured$`), nl: "Accountherstel is op deze server niet ingesteld."},

	// The state moved on, or the rules stand in the way.
	{re: regexp.MustCompile(`^cannot [^:]+: (\d+) rule\(s\) of (\S+) not met: (.+)$`), nl: "Niet aan alle regels is voldaan: $1 regel(s) van $2 niet vervuld: $3."},
	{re: regexp.MustCompile(`^cannot open: case "(.*)" already exists \(state "(.*)"\)$`), nl: "Dossier $1 bestaat al."},
	{re: regexp.MustCompile(`^cannot add evidence: evidence "(.*)" already exists$`), nl: "Bewijsstuk $1 bestaat al: het is misschien al toegevoegd, in een ander tabblad of venster."},
	{re: regexp.MustCompile(`^(\S+) already holds the (\S+) role$`), words: func(x *ctx, m []string) string {
		return m[0] + " is al " + roleWords(x, m[1]) + "."
	}},
	{re: regexp.MustCompile(`^the case changed concurrently too often; try again$`), nl: "Het dossier is te vaak tegelijk gewijzigd. Probeer het opnieuw."},
	{re: regexp.MustCompile(`^version (\d+) does not match the current version (\d+)$`), nl: "Versie $1 is niet de huidige versie ($2): dit is gewijzigd nadat u de pagina opende. Open de pagina opnieuw."},
	{re: regexp.MustCompile(`^none of the versions (.+) is the current version (\d+)$`), nl: "Geen van de versies $1 is de huidige versie ($2): dit is gewijzigd nadat u de pagina opende. Open de pagina opnieuw."},
	{re: regexp.MustCompile(`^user (\S+) exists$`), nl: "Gebruiker $1 bestaat al."},
	{re: regexp.MustCompile(`^user (\S+) is already erased$`), nl: "Gebruiker $1 is al gewist."},
	{re: regexp.MustCompile(`^user (\S+) is not erased$`), nl: "Gebruiker $1 is niet gewist."},
	{re: regexp.MustCompile(`^user (\S+) is \S+, not an assessor$`), nl: "Gebruiker $1 is geen assessor."},
	{re: regexp.MustCompile(`^you have declared a conflict of interest with this case's applicant: its evidence files are closed to you$`), nl: "U hebt een belangenconflict met de aanvrager van deze zaak gemeld: de bewijsbestanden zijn voor u gesloten."},
	{re: regexp.MustCompile(`^take a role on this case to open its evidence files: until then you see what they are, not the files$`), nl: "Neem een rol op deze zaak om de bewijsbestanden te openen: tot dan ziet u wat het zijn, niet de bestanden zelf."},
	{re: regexp.MustCompile(`^you cannot disable your own account: another office user can$`), nl: "U kunt uw eigen account niet uitschakelen: een andere gebruiker van het bureau kan dat."},
	{re: regexp.MustCompile(`^you cannot erase your own account: another office user can$`), nl: "U kunt uw eigen account niet wissen: een andere gebruiker van het bureau kan dat."},
	{re: regexp.MustCompile(`^you cannot \S+ your own account: another office user can$`), nl: "U kunt dit niet met uw eigen account doen: een andere gebruiker van het bureau kan dat."},

	// Who is asking: a login, a session.
	{re: regexp.MustCompile(`^wrong email or password$`), nl: "Onjuist e-mailadres of wachtwoord."},
	{re: regexp.MustCompile(`^the account is disabled$`), nl: "Dit account is uitgeschakeld."},
	{re: regexp.MustCompile(`^missing or malformed token$`), nl: "U bent niet ingelogd. Log in en probeer het opnieuw."},
	{re: regexp.MustCompile(`^the token is unknown, expired or revoked$`), nl: "Uw sessie is onbekend, verlopen of beëindigd. Log opnieuw in."},
	{re: regexp.MustCompile(`^the account's password or sessions changed during the login; log in again$`), nl: "Het wachtwoord of de sessies van het account zijn tijdens het inloggen gewijzigd. Log opnieuw in."},
	{re: regexp.MustCompile(`^log in to keep a self-check$`), nl: "Log in om een zelfcheck te bewaren."},
	{re: regexp.MustCompile(`^log in to see your self-checks$`), nl: "Log in om uw zelfchecks te zien."},

	// Too much at once.
	{re: regexp.MustCompile(`^too many failed logins; try again later$`), nl: "Te veel mislukte pogingen om in te loggen. Probeer het later opnieuw."},
	{re: regexp.MustCompile(`^too many wrong passwords; try again later$`), nl: "Te vaak een onjuist wachtwoord. Probeer het later opnieuw."},
	{re: regexp.MustCompile(`^other logins of this account or from this address are being checked; try again in a moment$`), nl: "Andere pogingen om in te loggen op dit account of vanaf dit adres worden nog gecontroleerd. Probeer het zo opnieuw."},
	{re: regexp.MustCompile(`^another try of this password is being checked; try again in a moment$`), nl: "Een andere poging met dit wachtwoord wordt nog gecontroleerd. Probeer het zo opnieuw."},
	{re: regexp.MustCompile(`^the credentials changed while the current password was checked; try again$`), nl: "Uw wachtwoord of uw sessies zijn intussen gewijzigd, terwijl het huidige wachtwoord werd gecontroleerd. Probeer het opnieuw."},
	{re: regexp.MustCompile(`^too many uploads at once: at most (\d+) per person and (\d+) in all; try again when one has finished$`), nl: "Te veel uploads tegelijk: hoogstens $1 per persoon en $2 in totaal. Probeer het opnieuw als er een klaar is."},
	{re: regexp.MustCompile(`^too many .+ from this client; try again in (\d+) seconds$`), nl: "Te veel verzoeken vanaf dit apparaat. Probeer het over $1 seconden opnieuw."},
	{re: regexp.MustCompile(`^(\d+) confirmation links were sent this hour; ask again after the hour$`), nl: "Er zijn dit uur al $1 bevestigingslinks verstuurd. Vraag er na dit uur opnieuw een aan."},

	// A part of the system that does not answer now.
	{re: regexp.MustCompile(`^key store unavailable$`), nl: "De sleutelopslag is op dit moment niet beschikbaar. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^event store unavailable$`), nl: "De gegevensopslag is op dit moment niet beschikbaar. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^evidence store unavailable$`), nl: "De opslag van de bewijsstukken is op dit moment niet beschikbaar. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^session store unavailable$`), nl: "De opslag van de sessies is op dit moment niet beschikbaar. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^link store unavailable$`), nl: "De opslag van de links is op dit moment niet beschikbaar. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^(?:login|request) throttle unavailable$`), nl: "De beveiliging tegen te veel pogingen is op dit moment niet beschikbaar. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^outbox unavailable$`), nl: "De uitgaande e-mail is op dit moment niet beschikbaar. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^outbox not loaded yet$`), nl: "De uitgaande e-mail is nog niet geladen. Probeer het zo opnieuw."},
	{re: regexp.MustCompile(`^preferences unavailable$`), nl: "De e-mailvoorkeuren zijn op dit moment niet beschikbaar. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^the read models are catching up; try again shortly$`), nl: "De gegevens worden bijgewerkt. Probeer het zo opnieuw."},
	{re: regexp.MustCompile(`^the command was recorded \(seq (\d+)\) but this process has not caught up with it yet; .+$`),
		nl: "Uw stap is vastgelegd (nummer $1), maar deze server heeft hem nog niet verwerkt. Laad de pagina zo opnieuw."},
	{re: regexp.MustCompile(`^the application's texts cannot be read for now$`), nl: "De teksten van de aanvraag kunnen op dit moment niet worden gelezen. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^the personal data of user (\S+) cannot be read for now$`), nl: "De persoonsgegevens van gebruiker $1 kunnen op dit moment niet worden gelezen. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^the new address cannot be read for now$`), nl: "Het nieuwe adres kan op dit moment niet worden gelezen. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^the password is changed, but other sessions could not be ended; change it again$`), nl: "Het wachtwoord is gewijzigd, maar andere sessies konden niet worden beëindigd. Wijzig het nog eens."},
	{re: regexp.MustCompile(`^the password is set, but other sessions could not be ended$`), nl: "Het wachtwoord is ingesteld, maar andere sessies konden niet worden beëindigd."},
	{re: regexp.MustCompile(`^the credential status list is full \((\d+) entries\)$`), nl: "De statuslijst van de credentials is vol ($1 vermeldingen)."},
	{re: regexp.MustCompile(`^cannot seal the self-check$`), nl: "De zelfcheck kan op dit moment niet worden versleuteld. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^cannot open the self-check$`), nl: "De zelfcheck kan op dit moment niet worden geopend. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^seal the note$`), nl: "De notitie kan op dit moment niet worden versleuteld. Probeer het over enkele minuten opnieuw."},
	{re: regexp.MustCompile(`^erasure recorded; key deletion will be retried$`), nl: "Het wissen is vastgelegd; het verwijderen van de sleutel wordt opnieuw geprobeerd."},
	{re: regexp.MustCompile(`^key deletion failed; the erasure is finished later$`), nl: "Het verwijderen van de sleutel is mislukt; het wissen wordt later afgerond."},
	{re: regexp.MustCompile(`^audit verification is not available$`), nl: "Het controleren van het auditlogboek is op deze server niet beschikbaar."},
	{re: regexp.MustCompile(`^audit checkpoints are not available$`), nl: "De controlepunten van het auditlogboek zijn op deze server niet beschikbaar."},
}
