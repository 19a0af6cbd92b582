package web

// reuseMessages are the texts of starting an application from the figures
// of an earlier one, in English and Dutch (see reuse.go).
var reuseMessages = map[string]msg{
	"reuse.offer":  {"You applied before. Start from the figures you gave then, and bring them up to date:", "U hebt eerder aangevraagd. Begin met de cijfers die u toen gaf en werk ze bij:"},
	"reuse.from":   {"Use the figures of my application of %s (%s)", "De cijfers van mijn aanvraag van %s (%s) gebruiken"},
	"reuse.filled": {"The form holds the figures of your application of %s (%s). Bring them up to date, then save: nothing is saved until you do.", "Het formulier bevat de cijfers van uw aanvraag van %s (%s). Werk ze bij en sla ze op: er wordt niets opgeslagen tot u dat doet."},
}
