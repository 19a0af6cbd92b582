package domain

import (
	"slices"
	"testing"
)

// TestRoleSets pins the role sets the routes grant, defined once here: the
// user roles are the three and never the system, and every set holds the
// roles its name says, each once.
func TestRoleSets(t *testing.T) {
	for _, tc := range []struct {
		role  Role
		valid bool
	}{{RoleApplicant, true}, {RoleAssessor, true}, {RoleOffice, true}, {RoleSystem, false}, {"", false}, {"admin", false}} {
		if got := tc.role.Valid(); got != tc.valid {
			t.Errorf("Role(%q).Valid(): got %v, want %v", tc.role, got, tc.valid)
		}
	}
	for _, tc := range []struct {
		name string
		got  []Role
		want []Role
	}{
		{"UserRoles", UserRoles, []Role{RoleApplicant, RoleAssessor, RoleOffice}},
		{"ApplicantOnly", ApplicantOnly, []Role{RoleApplicant}},
		{"AssessorOnly", AssessorOnly, []Role{RoleAssessor}},
		{"OfficeOnly", OfficeOnly, []Role{RoleOffice}},
		{"AssessorOrOffice", AssessorOrOffice, []Role{RoleAssessor, RoleOffice}},
		{"HolderOrOffice", HolderOrOffice, []Role{RoleApplicant, RoleOffice}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
		for _, r := range tc.got {
			if !r.Valid() {
				t.Errorf("%s: holds %q, which is no user role", tc.name, r)
			}
		}
	}
}
