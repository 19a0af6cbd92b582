package web

// waitingMessages say what would otherwise wait unseen: a form saved over
// a change made since it was shown (see ctx.meta), the cases and renewals
// of a disabled assessor or of one whose profile no longer meets their
// role's conditions (a conflict of interest declared since taking it, a
// level or a language taken off), and the applications ended by an
// erasure; in English and Dutch.
var waitingMessages = map[string]msg{
	"users.held":                 {"Cases they hold", "Dossiers die deze persoon in behandeling heeft"},
	"dashboard.stranded":         {"%[2]s is disabled and holds %[1]d cases in progress, which wait until you reassign them.", "%[2]s is geblokkeerd en heeft %[1]d lopende dossiers, die wachten tot u ze aan iemand anders geeft."},
	"dashboard.stranded.one":     {"%[2]s is disabled and holds a case in progress, which waits until you reassign it.", "%[2]s is geblokkeerd en heeft een lopend dossier, dat wacht tot u het aan iemand anders geeft."},
	"dashboard.barred":           {"%[2]s's profile no longer meets the role they hold on %[1]d cases in progress, which wait until you reassign them or change the profile back.", "Het profiel van %[2]s voldoet niet meer aan hun rol in %[1]d lopende dossiers, die wachten tot u ze aan iemand anders geeft of het profiel terugzet."},
	"dashboard.barred.one":       {"%[2]s's profile no longer meets the role they hold on a case in progress, which waits until you reassign it or change the profile back.", "Het profiel van %[2]s voldoet niet meer aan hun rol in een lopend dossier, dat wacht tot u het aan iemand anders geeft of het profiel terugzet."},
	"dashboard.stranded.see":     {"See them", "Bekijken"},
	"users.held.renewals":        {"Renewals they assess", "Verlengingen die deze persoon beoordeelt"},
	"users.held.barred":          {"No longer meets the role's conditions", "Voldoet niet meer aan de voorwaarden van de rol"},
	"users.held.barred.intro":    {"Their profile no longer meets the conditions of the roles marked below, so they take no further step there: give those roles to someone else, or change the profile back.", "Het profiel voldoet niet meer aan de voorwaarden van de hieronder gemarkeerde rollen, dus zet deze persoon daar geen verdere stap: geef die rollen aan iemand anders, of zet het profiel terug."},
	"queue.barred":               {"Your profile no longer meets this role", "Uw profiel voldoet niet meer aan deze rol"},
	"users.held.none":            {"None in progress.", "Geen lopende dossiers."},
	"users.held.disabled":        {"This assessor is disabled and cannot log in: these cases wait until you reassign their role.", "Deze assessor is geblokkeerd en kan niet inloggen: deze dossiers wachten tot u de rol aan iemand anders geeft."},
	"users.held.all":             {"All their cases in the queue", "Al hun dossiers in de wachtrij"},
	"users.held.queue":           {"These cases in the queue", "Deze dossiers in de wachtrij"},
	"officequeue.held_by":        {"Cases held by %s, as assessor or verifier.", "Dossiers van %s, als assessor of verificateur."},
	"officequeue.held_by.all":    {"Show every case", "Alle dossiers tonen"},
	"officecase.holder_disabled": {"%s, the %s of this case, is disabled and cannot log in: the case waits until the role is given to someone else.", "%s, de %s van dit dossier, is geblokkeerd en kan niet inloggen: het dossier wacht tot de rol aan iemand anders is gegeven."},
	"officecase.conflicted":      {"%s, the %s, has declared a conflict of interest with the applicant since taking the role, and takes no further step on the case.", "%s, %s, heeft na het aannemen van de rol een belangenconflict met de aanvrager gemeld en zet geen verdere stap in het dossier."},
	"officecase.conflicted.done": {"What they recorded on the case (an assessment, an interview) came before the declaration: weigh it with that in mind.", "Wat zij in het dossier vastlegden (een beoordeling, een interview) ging aan de melding vooraf: weeg het met dat in gedachten."},
	"crole.assessor":             {"assessor of this case", "de assessor van dit dossier"},
	"crole.verifier":             {"verifier of this case", "de verificateur van dit dossier"},
	"crole.renewal_assessor":     {"assessor of the renewal", "de assessor van de verlenging"},
	"withdrawn.applicant_erased": {"The applicant's personal data was erased, so nothing more could be recorded on the application.", "De persoonsgegevens van de aanvrager zijn gewist, dus er kon niets meer in de aanvraag worden vastgelegd."},
	"officecase.barred":          {"%s, the %s, no longer meets the role's conditions since their assessor profile was changed, and takes no further step on the case. %s", "%s, %s, voldoet sinds de wijziging van het assessorprofiel niet meer aan de voorwaarden van de rol en zet geen verdere stap in het dossier. %s"},
	"officecase.barred.done":     {"What they recorded on the case (an assessment, an interview) came before the change: weigh it with that in mind.", "Wat zij in het dossier vastlegden (een beoordeling, een interview) ging aan de wijziging vooraf: weeg het met dat in gedachten."},
	"workspace.barred":           {"Your assessor profile no longer meets the conditions of your role on this case: you take no further step on it, and the EMCC office gives your role to someone else. %s", "Uw assessorprofiel voldoet niet meer aan de voorwaarden van uw rol in dit dossier: u zet geen verdere stap in dit dossier, en het EMCC-bureau geeft uw rol aan iemand anders. %s"},
	"error.barred":               {"Your assessor profile no longer meets the conditions of your role on this case: you take no further step on it, and the EMCC office gives your role to someone else.", "Uw assessorprofiel voldoet niet meer aan de voorwaarden van uw rol in dit dossier: u zet geen verdere stap in dit dossier, en het EMCC-bureau geeft uw rol aan iemand anders."},
	"error.role_taken.assessor": {"This case's assessor role was taken since the page was opened, by someone else or in another tab.",
		"De rol van assessor in dit dossier is ingenomen sinds de pagina werd geopend, door iemand anders of in een ander tabblad."},
	"error.role_taken.verifier": {"This case's verifier role was taken since the page was opened, by someone else or in another tab.",
		"De rol van verificateur in dit dossier is ingenomen sinds de pagina werd geopend, door iemand anders of in een ander tabblad."},
	"error.role_taken": {"This role on the case was taken since the page was opened, by someone else or in another tab.",
		"Deze rol in het dossier is ingenomen sinds de pagina werd geopend, door iemand anders of in een ander tabblad."},
	"error.wrong_state": {"This step is not possible now that the case is at “%s”: it may have moved on since the page was opened, in another tab or by someone else. Open the case again to see where it stands and what can be done.",
		"Deze stap is niet mogelijk nu het dossier op “%s” staat: het is misschien verder gegaan sinds de pagina werd geopend, in een ander tabblad of door iemand anders. Open het dossier opnieuw om te zien waar het staat en wat er kan."},
	"error.wrong_state.unnamed": {"This step is not possible at the case's present stage: it may have moved on since the page was opened, in another tab or by someone else. Open the case again to see where it stands and what can be done.",
		"Deze stap is niet mogelijk in de huidige stand van het dossier: het is misschien verder gegaan sinds de pagina werd geopend, in een ander tabblad of door iemand anders. Open het dossier opnieuw om te zien waar het staat en wat er kan."},
	"workspace.conflicted":                {"You have declared a conflict of interest with this applicant: you take no further step on this case, and the EMCC office gives your role to someone else.", "U hebt een belangenconflict met deze aanvrager gemeld: u zet geen verdere stap in dit dossier, en het EMCC-bureau geeft uw rol aan iemand anders."},
	"officecase.holder_disabled.reassign": {"Reassign the role", "De rol opnieuw toewijzen"},
	"form.stale": {"This was changed after you opened this page, in another tab or by someone else, so your changes were not saved. What you entered is below: check it against what is saved now (open this page again in another tab to see it) and save again.",
		"Dit is gewijzigd nadat u deze pagina opende, in een ander tabblad of door iemand anders, dus uw wijzigingen zijn niet bewaard. Wat u invulde staat hieronder: vergelijk het met wat nu bewaard is (open deze pagina opnieuw in een ander tabblad om dat te zien) en bewaar opnieuw."},
}
