package web

// searchMessages are the texts of the office's search pages, in English
// and Dutch (see messages).
var searchMessages = map[string]msg{
	"nav.search":               {"Find a case", "Dossier zoeken"},
	"officesearch.title":       {"Find a case", "Dossier zoeken"},
	"officesearch.intro":       {"Every case, in any state, newest first.", "Elk dossier, in elke status, nieuwste eerst."},
	"officesearch.hint":        {"The applicant's name or email, the programme or its provider, or the start of the case id.", "Naam of e-mailadres van de aanvrager, de opleiding of de aanbieder, of het begin van het dossiernummer."},
	"officesearch.assessor":    {"Assessor or verifier", "Assessor of verificateur"},
	"officesearch.applicant":   {"Applicant", "Aanvrager"},
	"officesearch.programme":   {"Programme", "Opleiding"},
	"officesearch.opened":      {"Opened", "Geopend"},
	"officesearch.shown":       {"%d cases on this page", "%d dossiers op deze pagina"},
	"officesearch.shown.one":   {"%d case on this page", "%d dossier op deze pagina"},
	"search.words":             {"Search", "Zoeken"},
	"search.submit":            {"Search", "Zoeken"},
	"search.nothing":           {"Nothing found.", "Niets gevonden."},
	"search.building":          {"The search index is still being built (%d of %d changes read): some results may be missing. Try again in a moment.", "De zoekindex wordt nog opgebouwd (%d van %d wijzigingen gelezen): sommige resultaten kunnen ontbreken. Probeer het zo opnieuw."},
	"pager.first":              {"First page", "Eerste pagina"},
	"pager.older":              {"Older cases", "Oudere dossiers"},
	"users.find":               {"Find users", "Gebruikers zoeken"},
	"users.find.hint":          {"Words of the name or email address.", "Woorden uit de naam of het e-mailadres."},
	"users.shown":              {"%d users on this page", "%d gebruikers op deze pagina"},
	"users.shown.one":          {"%d user on this page", "%d gebruiker op deze pagina"},
	"users.conflicts.none":     {"None declared.", "Geen opgegeven."},
	"users.conflicts.search":   {"Find an applicant by name or email", "Zoek een aanvrager op naam of e-mailadres"},
	"users.conflicts.find":     {"Find", "Zoeken"},
	"users.conflicts.found":    {"Applicants matching “%s”: tick those to add, then save the profile.", "Aanvragers die passen bij “%s”: vink aan wie u wilt toevoegen en sla dan het profiel op."},
	"users.conflicts.no_match": {"No applicant matches.", "Geen aanvrager gevonden."},
}
