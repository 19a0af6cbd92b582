package cases

import (
	"context"

	"github.com/emcc/accredit/domain/aggregate"
)

// Applied returns what command m recorded on a case, when it is recorded
// (ok; the case is then read at least that far), for a page that checks a
// case's state before its command and would refuse the same form sent
// again once its own command moved the case on. Errors: Unprocessable
// (aggregate.ErrKeyReused) when m's id was recorded for another request.
func (s *Service) Applied(ctx context.Context, m aggregate.Meta) (aggregate.Result, bool, error) {
	return s.repo.Applied(ctx, m)
}
