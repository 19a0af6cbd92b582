package web

// assessorViewsMessages are the texts of issue 15's excluded assessors (on
// the office's case page) and an assessor's finished cases, in English and
// Dutch (see messages).
var assessorViewsMessages = map[string]msg{
	"officecase.excluded.title": {"Assessors left out of the role of %s (%d)", "Assessoren niet aangeboden voor de rol van %s (%d)"},
	"officecase.excluded.hint":  {"Each active assessor who is not offered, with the reasons. Open a profile to change the schemes, level, languages or conflicts of interest.", "Elke actieve assessor die niet wordt aangeboden, met de redenen. Open een profiel om de regelingen, het niveau, de talen of de belangenconflicten te wijzigen."},
	"officecase.excluded.who":   {"Assessor", "Assessor"},
	"officecase.excluded.why":   {"Why left out", "Waarom niet aangeboden"},
	"officecase.excluded.more":  {"Only the first %d are listed; %d more are left out too.", "Alleen de eerste %d staan hier; nog %d zijn ook niet aangeboden."},
	"excluded.inactive":         {"The account is not active.", "Het account is niet actief."},
	"excluded.applicant":        {"Is the applicant of this case.", "Is de aanvrager van dit dossier."},
	"excluded.other_role":       {"Already the %s of this case: the assessor and the verifier are two different people.", "Is al %s van dit dossier: de assessor en de verificateur zijn twee verschillende personen."},
	"excluded.scheme":           {"Not qualified for %s.", "Niet bevoegd voor %s."},
	"excluded.level":            {"Qualified up to %s, below the case level (%s).", "Bevoegd tot %s, onder het niveau van het dossier (%s)."},
	"excluded.level.none":       {"No level in the profile; the case is at %s.", "Geen niveau in het profiel; het dossier is op %s."},
	"excluded.language":         {"Does not assess in %s, the language of the case.", "Beoordeelt niet in het %s, de taal van het dossier."},
	"excluded.conflict":         {"Declared a conflict of interest with the applicant.", "Heeft een belangenconflict met de aanvrager gemeld."},
	"excluded.other":            {"Cannot take this role now.", "Kan deze rol nu niet op zich nemen."},
	"queue.finished":            {"Your finished cases", "Uw afgeronde dossiers"},
	"finished.title":            {"Your finished cases", "Uw afgeronde dossiers"},
	"finished.hint":             {"The cases you assessed or verified and are done with: your assessment is in, or the case is decided or withdrawn. Newest submission first.", "De dossiers die u hebt beoordeeld of geverifieerd en waarmee u klaar bent: uw beoordeling is ingediend, of over het dossier is besloten of het is ingetrokken. Laatst ingediend eerst."},
	"finished.back":             {"Back to your queue", "Terug naar uw wachtrij"},
	"finished.outcome":          {"Outcome", "Uitkomst"},
	"finished.not_assessed":     {"Closed before your assessment", "Afgesloten vóór uw beoordeling"},
	"finished.undecided":        {"Not yet decided", "Nog geen besluit"},
	"finished.none":             {"You have no finished cases yet.", "U hebt nog geen afgeronde dossiers."},
	"finished.none.more":        {"No older finished cases.", "Geen oudere afgeronde dossiers."},
	"finished.pager":            {"Pages of finished cases", "Pagina's met afgeronde dossiers"},
	"finished.newest":           {"Newest", "Nieuwste"},
	"finished.older":            {"Older cases", "Oudere dossiers"},
}
