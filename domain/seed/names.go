package seed

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// People of the European coaching and mentoring community: first and last
// names from the countries whose languages the cases are in.
var (
	firstNames = []string{
		"Anna", "Sophie", "Emma", "Julia", "Laura", "Marie", "Lisa", "Sarah", "Eva", "Clara",
		"Hannah", "Lotte", "Sanne", "Femke", "Inge", "Ingrid", "Astrid", "Camille", "Chloé", "Léa",
		"Manon", "Isabel", "Lucía", "Carmen", "Elena", "Giulia", "Francesca", "Chiara", "Sofia", "Alice",
		"Margaret", "Helen", "Claire", "Rachel", "Fiona", "Siobhan", "Katarzyna", "Agnieszka", "Zsófia", "Ana",
		"Thomas", "Lukas", "Jan", "Pieter", "Daan", "Bram", "Sven", "Lars", "Erik", "Henrik",
		"Pierre", "Julien", "Antoine", "Nicolas", "Javier", "Carlos", "Miguel", "Pablo", "Marco", "Luca",
		"Giovanni", "Matteo", "David", "James", "Michael", "Andrew", "Patrick", "Seán", "Piotr", "Tomasz",
		"Stefan", "Markus", "Jürgen", "Klaus", "Willem", "Joost", "Koen", "Mathieu", "Olivier", "João",
	}
	lastNames = []string{
		"de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos",
		"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz",
		"Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Girard", "Roux", "Fontaine",
		"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz",
		"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
		"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Roberts",
		"Murphy", "Kelly", "O'Sullivan", "Walsh", "Byrne", "Nowak", "Kowalski", "Wiśniewski", "Nagy", "Horváth",
		"Andersson", "Johansson", "Nilsson", "Hansen", "Nielsen", "Jensen", "Peeters", "Janssens", "Maes", "Silva",
	}
	mailDomains = []string{
		"example.org", "example.com", "example.net", "coaching.example", "mentoring.example",
		"leadership.example", "academy.example", "university.example",
	}
	providers = []string{
		"Academy of Coaching", "School of Mentoring", "Institute for Leadership Coaching", "Coaching College",
		"Centre for Supervision", "Business School", "University", "Team Coaching Institute",
	}
	programmes = []string{
		"Certificate in Coaching Practice", "Diploma in Executive Coaching", "Advanced Mentoring Programme",
		"Postgraduate Certificate in Coaching and Mentoring", "Team Coaching Practitioner Programme",
		"Master of Science in Coaching Psychology", "Foundation Course in Coaching Skills", "Coach Supervision Diploma",
	}
	cities = []string{
		"Amsterdam", "Utrecht", "Rotterdam", "Berlin", "Munich", "Hamburg", "Paris", "Lyon", "Madrid", "Barcelona",
		"Milan", "Rome", "London", "Manchester", "Dublin", "Brussels", "Ghent", "Copenhagen", "Stockholm", "Warsaw",
	}
)

// person is a made-up name and an email made from it.
func person(rnd *rand.Rand, n int) (name, email string) {
	first := firstNames[rnd.IntN(len(firstNames))]
	last := lastNames[rnd.IntN(len(lastNames))]
	name = first + " " + last
	local := strings.ToLower(asciiOnly(first) + "." + strings.NewReplacer(" ", "", "'", "").Replace(asciiOnly(last)))
	// n makes the address unique, as real ones are, however often a name recurs.
	return name, fmt.Sprintf("%s.%d@%s", local, n, mailDomains[rnd.IntN(len(mailDomains))])
}

var folds = strings.NewReplacer("é", "e", "á", "a", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ö", "o",
	"ś", "s", "ñ", "n", "ã", "a", "ç", "c")

// asciiOnly writes the accented letters of a name plainly, as most email
// addresses do.
func asciiOnly(s string) string { return folds.Replace(s) }

func pick[T any](rnd *rand.Rand, xs []T) T { return xs[rnd.IntN(len(xs))] }

// The texts people write in a case: short, plausible and never personal
// beyond what the case is about.
var (
	statements = []string{
		"In my practice I contract explicitly with every client and sponsor about goals, confidentiality and the way we review progress.",
		"I use reflective supervision monthly to examine my own assumptions and how they shape the coaching relationship.",
		"My clients set their own agenda; I hold the process and help them turn insight into commitments they review with me.",
		"I keep a learning journal after every session and bring recurring themes to supervision.",
		"I work with ethical dilemmas openly, refer clients when their needs are beyond my competence, and record how I decided.",
		"Feedback from clients over the last year shows they value the space to think and the challenge I bring to it.",
	}
	curriculum = []string{
		"Module on contracting, ethics and boundaries, with observed practice.",
		"Practice sessions with feedback from tutors and peers, and a reflective log.",
		"Theory of adult learning and change, assessed through an essay.",
		"Supervised practice of at least twenty client hours with recorded sessions.",
	}
	screeningReturns = []string{
		"The supervision hours are not evidenced; please add the supervisor's reference.",
		"Two evidence files cannot be read; please upload them again as PDF.",
		"The self-assessment of category 6 is missing its examples.",
	}
	questions = []string{
		"Could you describe how you contract with sponsors in organisational assignments?",
		"Please send a recent example of a session transcript with your reflections on it.",
		"Could you tell us more about how your supervision is arranged?",
	}
	answers = []string{
		"I contract in a three-way meeting at the start and review with the sponsor at the midpoint; an example is attached.",
		"A transcript of a session from last month is attached, with my reflections in the margin.",
		"I meet my supervisor monthly for ninety minutes and join a peer supervision group each quarter.",
	}
	rationales = map[bool][]string{
		true: {
			"The evidence meets the competence indicators at the level applied for, consistently across the categories.",
			"Strong reflective practice and well-evidenced client work; the portfolio supports the level.",
		},
		false: {
			"The evidence does not yet show the indicators of categories 5 and 7 at the level applied for.",
			"Client work is described but not evidenced; feedback and supervision records are too thin.",
		},
	}
	appealGrounds = []string{
		"The assessment overlooked the supervisor's reference, which evidences the missing category.",
		"I believe the evidence of my team coaching work was not taken into account.",
	}
	reflections = []string{
		"Over these five years my practice moved from one-to-one coaching towards team work. Supervision helped me notice where I took over my clients' agendas, and my CPD on systemic approaches changed how I contract.",
		"Looking back on the period, the biggest change is how I use silence and questions. My supervisor challenged my wish to help too quickly; the ethics course made me revisit my contracting with sponsors.",
	}
	aimStatements = []string{
		"The programme ran a full cohort every year of the period.",
		"Student evaluations are reviewed after each module and led to two changes in the curriculum.",
		"An annual quality review by an external moderator, with actions tracked in the quality manual.",
		"Students are assessed against the EMCC competence indicators at the programme's level.",
		"The Global Code of Ethics is taught in module one and applied in supervised practice.",
	}
	renewalRationales = []string{
		"Practice, supervision and CPD over the period meet the requirements; the reflection shows continued development.",
		"The renewal evidence is complete and consistent; renewed for five years.",
	}
	appealRationales = []string{
		"Having reviewed the file, the panel finds the original decision sound.",
		"The panel finds that evidence was overlooked and asks for the decision to be taken again.",
	}
	withdrawReasons = []string{
		"I will apply at a different level next year.",
		"Personal circumstances; I intend to apply again later.",
		"",
	}
	revocations = []string{
		"An ethics complaint was upheld by the EMCC ethics panel.",
		"The holder no longer meets the conditions of the award.",
	}
	evidenceTitles = map[string][]string{
		"certificate":          {"Coaching diploma", "Certificate of completed training", "Accredited training certificate"},
		"reflective_statement": {"Reflective statement on my practice", "Reflections on a difficult session"},
		"client_feedback":      {"Client feedback summary", "Feedback from three clients"},
		"supervisor_reference": {"Supervisor's reference", "Reference from my supervisor"},
		"session_transcript":   {"Session transcript with reflections", "Recorded session transcript"},
		"cpd_record":           {"CPD log of the last year", "Record of continuing development"},
		"programme_document":   {"Programme handbook", "Curriculum and assessment design", "Faculty and supervision arrangements"},
		"case_study":           {"Case study: a year with a team leader", "Case study: mentoring a new manager"},
		"learning_journal":     {"Learning journal, spring", "Learning journal: supervision insights", "Learning journal, autumn"},
		"supervision_record":   {"Supervision record of the last year", "Supervision log"},
		"curriculum":           {"Curriculum and learning outcomes", "Module map against the eight categories"},
		"programme_handbook":   {"Programme handbook", "Student handbook"},
		"assessment_methods":   {"How students are assessed", "Assessment criteria and marking guide"},
		"quality_manual":       {"Quality manual", "Quality assurance procedures"},
	}
)
