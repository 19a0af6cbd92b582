package cases

import (
	"context"

	"github.com/emcc/accredit/domain/aggregate"
)

// Applied returns what command m recorded on case id, when it is recorded
// (ok; the case is then read at least that far), for a page that checks a
// case's state before its command and would refuse the same form sent
// again once its own command moved the case on; the same form sent twice
// at once included, whose other copy's write the page's read of the case
// may hold before this process has applied it (aggregate.AppliedOn).
// Errors: Unprocessable (aggregate.ErrKeyReused) when m's id was recorded
// for another request; Unavailable.
func (s *Service) Applied(ctx context.Context, id string, m aggregate.Meta) (aggregate.Result, bool, error) {
	return s.repo.AppliedOn(ctx, id, m)
}
