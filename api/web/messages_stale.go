package web

// staleMessages say that a form was saved over a change made since it was
// shown (see ctx.meta), in English and Dutch.
var staleMessages = map[string]msg{
	"form.stale": {"This was changed after you opened this page, in another tab or by someone else, so your changes were not saved. What you entered is below: check it against what is saved now (open this page again in another tab to see it) and save again.",
		"Dit is gewijzigd nadat u deze pagina opende, in een ander tabblad of door iemand anders, dus uw wijzigingen zijn niet bewaard. Wat u invulde staat hieronder: vergelijk het met wat nu bewaard is (open deze pagina opnieuw in een ander tabblad om dat te zien) en bewaar opnieuw."},
}
