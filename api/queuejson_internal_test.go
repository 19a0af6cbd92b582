package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/projections"
)

// randomItem is a queue item with every field set or left out at random,
// strings plain or needing escapes, times whole or with nanoseconds, in
// UTC or another zone.
func randomItem(rng *rand.Rand) projections.QueueItem {
	str := func() string {
		plain := []string{"", "01JABCDEFGHJKMNPQRSTVWXYZ", "en", "awaiting_assessment", "practitioner"}
		odd := []string{`a"b`, `back\slash`, "tab\there", "<script>&", "één", "\u2028", "bad \xff utf8", "\x00"}
		if rng.IntN(4) == 0 {
			return odd[rng.IntN(len(odd))]
		}
		return plain[rng.IntN(len(plain))]
	}
	tm := func() time.Time {
		switch rng.IntN(4) {
		case 0:
			return time.Time{}
		case 1:
			return time.Date(2026, 12, 2, 23, 0, 0, rng.IntN(1e9), time.UTC)
		case 2:
			return time.Date(2025, 3, 30, 1, 59, 59, 0, time.FixedZone("CEST", 2*3600))
		}
		return time.Unix(rng.Int64N(2e9), 0).UTC()
	}
	it := projections.QueueItem{CaseID: str(), Scheme: accreditation.Scheme(str()), Level: framework.Level(str()), Language: str(),
		State: accreditation.State(str()), SubmittedAt: tm(), WaitingDays: rng.IntN(400) - 10, DueAt: tm(), Overdue: rng.IntN(2) == 0,
		AssessorID: str(), VerifierID: str(), MyRole: accreditation.AssessorRole(str()), Barred: rng.IntN(2) == 0}
	for range rng.IntN(3) {
		it.Claimable = append(it.Claimable, accreditation.AssessorRole(str()))
	}
	if rng.IntN(5) == 0 {
		it.Claimable = []accreditation.AssessorRole{} // empty, not nil: left out all the same
	}
	return it
}

// A queue item written by hand is byte for byte what encoding/json
// writes for it.
func TestQueueItemJSONIsEncodingJSONs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for i := range 5000 {
		it := randomItem(rng)
		want, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendQueueItem(nil, &it); !bytes.Equal(got, want) {
			t.Fatalf("item %d:\ngot  %s\nwant %s", i, got, want)
		}
	}
}

// Every byte, alone and within plain text, is written as encoding/json
// writes it: as it is or escaped.
func TestQueueStringsAreEncodingJSONsForEveryByte(t *testing.T) {
	for c := range 256 {
		for _, s := range []string{string([]byte{byte(c)}), "ab" + string([]byte{byte(c)}) + "yz"} {
			want, _ := json.Marshal(s)
			if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
				t.Errorf("byte %#x: got %s, want %s", c, got, want)
			}
		}
	}
}

// The whole answer, office's and assessor's, is what c.JSON wrote for
// the map it replaced, headers too; ?pretty still indents.
func TestQueueAnswerIsWhatCJSONWrote(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 11))
	e := echo.New()
	answer := func(target string, write func(c echo.Context) error) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		if err := write(e.NewContext(httptest.NewRequest(http.MethodGet, target, nil), rec)); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	for _, n := range []int{0, 1, 7, 50} {
		var avail, mine []projections.QueueItem
		for range n {
			avail = append(avail, randomItem(rng))
			mine = append(mine, randomItem(rng))
		}
		if avail == nil {
			avail = []projections.QueueItem{}
		}
		asMap := func() map[string]any {
			return map[string]any{"available": avail, "has_more": n > 3, "mine": mine, "mine_has_more": false, "seq": uint64(n * 1000), "service_level_days": 91}
		}
		fields := []queueField{itemsField("available", avail), boolField("has_more", n > 3), itemsField("mine", mine),
			boolField("mine_has_more", false), uintField("seq", uint64(n*1000)), intField("service_level_days", 91)}
		for _, target := range []string{"/api/v1/queue", "/api/v1/queue?pretty"} {
			want := answer(target, func(c echo.Context) error { return c.JSON(http.StatusOK, asMap()) })
			got := answer(target, func(c echo.Context) error { return writeQueue(c, fields, asMap) })
			if got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
				t.Fatalf("%d items, %s: got %d %q\n%s\nwant %d %q\n%s", n, target, got.Code, got.Header().Get("Content-Type"), got.Body,
					want.Code, want.Header().Get("Content-Type"), want.Body)
			}
		}
	}
}
