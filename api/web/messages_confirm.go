package web

// confirmMessages are the texts of the confirmation pages, in English and
// Dutch (see messages and confirm.go).
var confirmMessages = map[string]msg{
	"confirm.title":                  {"Please confirm", "Graag bevestigen"},
	"confirm.summary":                {"What you are about to do", "Wat u gaat doen"},
	"confirm.what":                   {"What happens next", "Wat er daarna gebeurt"},
	"confirm.back":                   {"Go back without doing it", "Terug zonder het te doen"},
	"confirm.label.file":             {"File", "Bestand"},
	"confirm.label.programme":        {"Programme", "Opleiding"},
	"confirm.label.evidence":         {"Evidence items", "Bewijsstukken"},
	"confirm.label.self_assessment":  {"Self-assessment", "Zelfevaluatie"},
	"confirm.label.declared":         {"You declare", "U verklaart"},
	"confirm.label.case":             {"Case", "Dossier"},
	"confirm.label.ratings":          {"Ratings of the eight categories", "Waarderingen van de acht categorieën"},
	"confirm.label.vote":             {"Vote of %s", "Stem van %s"},
	"confirm.of_categories":          {"%d of %d categories written", "%d van %d categorieën geschreven"},
	"confirm.remove_evidence.title":  {"Remove this evidence?", "Dit bewijsstuk verwijderen?"},
	"confirm.remove_evidence.what":   {"The file is taken out of your application and deleted from the evidence store. The case history keeps that it was added and removed. You can upload it again while the application can be changed.", "Het bestand wordt uit uw aanvraag gehaald en uit de bewijsopslag verwijderd. De geschiedenis van het dossier bewaart dat het werd toegevoegd en verwijderd. U kunt het opnieuw uploaden zolang de aanvraag kan worden gewijzigd."},
	"confirm.remove_evidence.button": {"Remove the evidence", "Bewijsstuk verwijderen"},
	"confirm.submit.title":           {"Submit your application?", "Uw aanvraag indienen?"},
	"confirm.submit.what":            {"The application goes to the EMCC office, which screens it and assigns assessors. From then on you cannot change it, unless the office returns it to you or asks you for more information. You are told at each step.", "De aanvraag gaat naar het EMCC-bureau, dat haar screent en beoordelaars toewijst. Daarna kunt u haar niet meer wijzigen, tenzij het bureau haar aan u teruggeeft of u om meer informatie vraagt. U hoort het bij elke stap."},
	"confirm.submit.button":          {"Submit the application", "Aanvraag indienen"},
	"confirm.assess.title":           {"Submit your assessment?", "Uw beoordeling indienen?"},
	"confirm.assess.what":            {"Your assessment is final once submitted: you cannot change it. The office sees it at once; the other assessor sees it once theirs is in too; the applicant sees the assessments with the decision.", "Uw beoordeling is definitief zodra u haar indient: u kunt haar niet meer wijzigen. Het bureau ziet haar meteen; de andere beoordelaar zodra ook die van hen binnen is; de aanvrager ziet de beoordelingen bij het besluit."},
	"confirm.assess.button":          {"Submit the assessment", "Beoordeling indienen"},
	"confirm.decide.title":           {"Record this decision?", "Dit besluit vastleggen?"},
	"confirm.decide.what":            {"The decision is recorded for good and the applicant sees it with its rationale and the assessments. An award issues the accreditation and puts it on the public register. Only an appeal can change the decision.", "Het besluit wordt definitief vastgelegd en de aanvrager ziet het met de motivering en de beoordelingen. Een toekenning verleent de accreditatie en zet haar in het openbare register. Alleen een beroep kan het besluit nog wijzigen."},
	"confirm.decide.button":          {"Record the decision", "Besluit vastleggen"},
	"confirm.erase.title":            {"Erase this person's personal data?", "De persoonsgegevens van deze persoon wissen?"},
	"confirm.erase.button":           {"Erase for good", "Definitief wissen"},
	"confirm.label.cases":            {"Cases", "Dossiers"},
}
