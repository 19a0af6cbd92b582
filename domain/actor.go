package domain

import "slices"

// Role is what a user is in the process.
type Role string

// The three roles, plus the system itself for time-driven jobs.
const (
	RoleApplicant Role = "applicant"
	RoleAssessor  Role = "assessor"
	RoleOffice    Role = "office"
	RoleSystem    Role = "system"
)

// The role sets that the API's routes and the web's pages grant, defined
// here once. The system is in none: it is no user.
var (
	UserRoles        = []Role{RoleApplicant, RoleAssessor, RoleOffice} // any logged-in user
	ApplicantOnly    = []Role{RoleApplicant}
	AssessorOnly     = []Role{RoleAssessor}
	OfficeOnly       = []Role{RoleOffice}
	AssessorOrOffice = []Role{RoleAssessor, RoleOffice}
	HolderOrOffice   = []Role{RoleApplicant, RoleOffice} // an accreditation's holder is an applicant
)

// Valid reports whether r is one of the user roles.
func (r Role) Valid() bool { return slices.Contains(UserRoles, r) }

// Actor is who did something: a pseudonymous user id and the role they acted in.
type Actor struct {
	ID   string `json:"id"`
	Role Role   `json:"role"`
}

// System is the actor of time-driven jobs (expiry).
var System = Actor{ID: "system", Role: RoleSystem}
