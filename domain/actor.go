package domain

// Role is what a user is in the process.
type Role string

// The three roles, plus the system itself for time-driven jobs.
const (
	RoleApplicant Role = "applicant"
	RoleAssessor  Role = "assessor"
	RoleOffice    Role = "office"
	RoleSystem    Role = "system"
)

// Valid reports whether r is one of the user roles.
func (r Role) Valid() bool {
	return r == RoleApplicant || r == RoleAssessor || r == RoleOffice
}

// Actor is who did something: a pseudonymous user id and the role they acted in.
type Actor struct {
	ID   string `json:"id"`
	Role Role   `json:"role"`
}

// System is the actor of time-driven jobs (expiry).
var System = Actor{ID: "system", Role: RoleSystem}
