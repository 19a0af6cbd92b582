package accreditation

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// fields collects the wrong fields of an input.
type fields []domain.FieldError

func (f *fields) add(field, format string, args ...any) {
	*f = append(*f, domain.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (f *fields) required(field string, s pii.Sealed) {
	if s.IsZero() {
		f.add(field, "required")
	}
}

// within checks a number against its range in the limits table.
func (f *fields) within(field string, v float64, l limits.Limit) {
	if e := l.Number(field, v); e != nil || math.IsInf(v, 0) {
		f.add(field, "must be a number from %g to %g", l.Min, l.Max)
	}
}

func (f fields) err(action Action) error {
	if len(f) == 0 {
		return nil
	}
	parts := make([]string, len(f))
	for i, fe := range f {
		parts[i] = fe.Field + ": " + fe.Reason
	}
	return domain.InvalidFields(fmt.Sprintf("cannot %s: %s", verb(action), strings.Join(parts, "; ")), f...)
}

// category checks a category number.
func (f *fields) category(field string, n int) bool {
	if n < 1 || n > framework.NumCategories {
		f.add(field, "category %d does not exist; categories are 1..%d", n, framework.NumCategories)
		return false
	}
	return true
}

// indicators checks indicator numbers: each must exist, belong to category
// (when not 0) and sit at or below level (when not empty). It returns them
// sorted without duplicates.
func (f *fields) indicators(cat *framework.Catalogue, field string, ns []int, category int, level framework.Level) []int {
	for i, n := range ns {
		in, ok := cat.Indicator(n)
		switch {
		case !ok:
			f.add(fmt.Sprintf("%s[%d]", field, i), "indicator %d does not exist in the framework", n)
		case category != 0 && in.Category != category:
			f.add(fmt.Sprintf("%s[%d]", field, i), "indicator %d belongs to category %d, not %d", n, in.Category, category)
		case level != "" && !level.AtLeast(in.Level):
			f.add(fmt.Sprintf("%s[%d]", field, i), "indicator %d is at level %s, above the case level %s", n, in.Level, level)
		}
	}
	return sortedSet(ns)
}

func sortedSet(ns []int) []int {
	if len(ns) == 0 {
		return nil
	}
	out := slices.Clone(ns)
	slices.Sort(out)
	return slices.Compact(out)
}

// validID reports whether id can be a token of a stream or object name.
func validID(id string) bool {
	return len(id) <= 100 && !strings.Contains(id, ".") && eventstore.ValidStreamID(id)
}
