package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/search"
)

// maxSearchText bounds a search's text: a name, an email or an id.
const maxSearchText = search.MaxQueryText

// foundCase is one case the office's search found.
type foundCase struct {
	search.Case
	projections.Facts
}

// searchCases finds cases for the office by the words of their applicant's
// name or email, their programme or provider, or the start of their id;
// and by scheme, level, state and assessor. Newest first, by pages.
func (s *Server) searchCases(c echo.Context) error {
	idx, err := s.searchIndex(c)
	if err != nil {
		return err
	}
	q, err := searchText(c)
	if err != nil {
		return err
	}
	var scheme, level, state string
	if scheme, err = queryEnum(c, "scheme", schemes); err != nil {
		return err
	}
	if level, err = queryEnum(c, "level", levels); err != nil {
		return err
	}
	if state, err = queryEnum(c, "state", stateNames()); err != nil {
		return err
	}
	assessor := c.QueryParam("assessor_id")
	if assessor != "" && !domain.ValidULID(assessor) {
		return badQuery("assessor_id", "a user id")
	}
	cursor := c.QueryParam("cursor")
	if cursor != "" && !domain.ValidULID(cursor) {
		return badQuery("cursor", "the next_cursor of the page before")
	}
	limit, err := searchLimit(c)
	if err != nil {
		return err
	}
	return s.read(c, func(m *projections.Models, pos uint64) error {
		found := []foundCase{}
		keep := func(id string) bool {
			f, ok := m.Cases.Facts(id)
			return ok && (scheme == "" || string(f.Scheme) == scheme) && (level == "" || string(f.Level) == level) &&
				(state == "" || string(f.State) == state) && (assessor == "" || slices.Contains(f.Assessors, assessor))
		}
		page, next := idx.Cases(search.CaseQuery{Text: q, Keep: keep, Before: cursor, Limit: limit})
		for _, hit := range page {
			f, _ := m.Cases.Facts(hit.ID)
			found = append(found, foundCase{Case: hit, Facts: f})
		}
		out := map[string]any{"cases": found, "index": idx.Status(), "seq": pos}
		if next != "" {
			out["next_cursor"] = next
		}
		return c.JSON(http.StatusOK, out)
	})
}

// searchUsers answers GET /api/v1/users?q=: the users whose name or email
// has every word of q, of ?role when given, oldest first.
func (s *Server) searchUsers(c echo.Context, q string, role domain.Role, cursor string, limit int) error {
	idx, err := s.searchIndex(c)
	if err != nil {
		return err
	}
	if limit == 0 {
		limit = search.DefaultLimit
	}
	page, next := idx.Users(search.UserQuery{Text: q, Role: role, After: cursor, Limit: limit})
	users := make([]accounts.UserView, 0, len(page))
	for _, hit := range page {
		u, err := s.deps.Accounts.User(c.Request().Context(), hit.ID)
		if domain.ErrorCode(err) == domain.NotFound {
			continue // erased since the index was read
		}
		if err != nil {
			return err
		}
		users = append(users, u)
	}
	out := map[string]any{"users": users, "index": idx.Status()}
	if next != "" {
		out["next_cursor"] = next
	}
	return c.JSON(http.StatusOK, out)
}

// searchIndex returns the index once it holds ?min_seq (a caller that just
// wrote finds what it wrote); a 503 while it cannot say yet.
func (s *Server) searchIndex(c echo.Context) (*search.Index, error) {
	idx := s.deps.Reads.Search
	if idx == nil {
		return nil, domain.Errorf(domain.Unavailable, "search is not available on this server")
	}
	v := c.QueryParam("min_seq")
	if v == "" {
		return idx, nil
	}
	seq, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return nil, badQuery("min_seq", "a non-negative integer (the seq a command returned)")
	}
	if err := s.pastTheEnd(c.Request().Context(), seq); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.deps.Reads.Wait())
	defer cancel()
	if err := idx.WaitFor(ctx, seq); err != nil {
		st := idx.Status()
		e := domain.Errorf(domain.Unavailable, "the search index has not reached seq %d yet (%d of %d commits indexed)", seq, st.Indexed, st.Of)
		e.RetryAfter = 1
		return nil, e
	}
	return idx, nil
}

func searchText(c echo.Context) (string, error) {
	q := c.QueryParam("q")
	if len(q) > maxSearchText {
		return "", badQuery("q", "at most "+strconv.Itoa(maxSearchText)+" characters")
	}
	return q, nil
}

// searchLimit reads ?limit: 1 to 200, DefaultLimit when absent.
func searchLimit(c echo.Context) (int, error) {
	v := c.QueryParam("limit")
	if v == "" {
		return search.DefaultLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 200 {
		return 0, badQuery("limit", "1 to 200")
	}
	return n, nil
}
