package projections

import (
	"slices"

	"github.com/emcc/accredit/domain/accreditation"
)

// open indexes, per assessor, their own cases still in the queue, by
// submission: the "mine" half of their queue reads it alone. The list of
// every case an assessor was ever given (assigned, which the finished
// cases read) grows with their history, and scanning it for the open ones
// was a third of the assessors' queue's CPU at 10k cases.
type openIndex struct {
	byUser map[string][]queueRef // assessor id -> their open cases
	byCase map[string][]string   // case id -> the assessors it is open for
}

func newOpenIndex() openIndex {
	return openIndex{byUser: map[string][]queueRef{}, byCase: map[string][]string{}}
}

// add lists case c as open for userID, once.
func (o *openIndex) add(userID string, c *accreditation.Case) {
	if slices.Contains(o.byCase[c.ID], userID) {
		return
	}
	o.byCase[c.ID] = append(o.byCase[c.ID], userID)
	o.byUser[userID] = insertOrdered(o.byUser[userID], queueRef{at: c.SubmittedAt, id: c.ID})
}

// drop takes the case off userID's open cases.
func (o *openIndex) drop(userID, caseID string) {
	users := o.byCase[caseID]
	if !slices.Contains(users, userID) {
		return
	}
	if users = slices.DeleteFunc(users, func(u string) bool { return u == userID }); len(users) == 0 {
		delete(o.byCase, caseID)
	} else {
		o.byCase[caseID] = users
	}
	refs := slices.DeleteFunc(o.byUser[userID], func(r queueRef) bool { return r.id == caseID })
	if len(refs) == 0 {
		delete(o.byUser, userID)
	} else {
		o.byUser[userID] = refs
	}
}

// dropCase takes the case off every assessor's open cases.
func (o *openIndex) dropCase(caseID string) {
	for _, u := range slices.Clone(o.byCase[caseID]) {
		o.drop(u, caseID)
	}
}

// placeOpen files c, which has just entered the queue or moved in it, under
// each assessor listed on it who holds a role.
func (m *Cases) placeOpen(c *accreditation.Case) {
	m.open.dropCase(c.ID)
	for _, r := range accreditation.AssessorRoles {
		if a, ok := c.Assignments.Get(r); ok && m.listed[assignment{a.UserID, c.ID}] {
			m.open.add(a.UserID, c)
		}
	}
}
