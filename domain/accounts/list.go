package accounts

import (
	"slices"

	"github.com/emcc/accredit/domain"
)

// userList keeps the user ids in order (ULIDs, so oldest first), all of
// them and by role, so that a page of users is found without looking at
// the others.
type userList struct {
	all    []string
	byRole map[domain.Role][]string
}

func (l *userList) add(id string, role domain.Role) {
	if l.byRole == nil {
		l.byRole = map[domain.Role][]string{}
	}
	l.all = insertSorted(l.all, id)
	l.byRole[role] = insertSorted(l.byRole[role], id)
}

// sort puts lists made in any order in order.
func (l *userList) sort() {
	slices.Sort(l.all)
	for _, ids := range l.byRole {
		slices.Sort(ids)
	}
}

// insertSorted adds id to sorted ids; new ids sort last, so this is an
// append but for the rare id made a moment earlier elsewhere.
func insertSorted(ids []string, id string) []string {
	i, found := slices.BinarySearch(ids, id)
	if found {
		return ids
	}
	return slices.Insert(ids, i, id)
}

// page returns the ids after after (of role, when set), at most limit of
// them (all when 0), and whether more follow.
func (l *userList) page(role domain.Role, after string, limit int) (ids []string, more bool) {
	src := l.all
	if role != "" {
		src = l.byRole[role]
	}
	start := 0
	if after != "" {
		i, found := slices.BinarySearch(src, after)
		if found {
			i++
		}
		start = i
	}
	end := len(src)
	if limit > 0 && start+limit < end {
		end, more = start+limit, true
	}
	return slices.Clone(src[start:end]), more
}
