package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/projections/search"
)

// A register page joined from rows encoded once is byte for byte what
// encoding/json wrote for the page's map, for every filter, limit and
// starting point; Search still returns the same rows.
func TestRegisterPageJSONIsEncodingJSONs(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 4))
	var rows []RegisterRow
	names := []string{"Ada Lovelace", "Ümit <Özdemir> & co", `Quote "Q" Person`, "Jan de Vries", "李小龍"}
	for i := range 300 {
		scheme := accreditation.SchemeEIA
		if i%4 == 0 {
			scheme = accreditation.SchemeEQA
		}
		row := RegisterRow{AccreditationID: fmt.Sprintf("acc-%04d", i), Holder: names[rng.IntN(len(names))], Scheme: scheme,
			Level:     []framework.Level{framework.Foundation, framework.Practitioner, framework.SeniorPractitioner}[rng.IntN(3)],
			AwardedAt: time.Date(2026, 1, 1, 0, 0, 0, rng.IntN(1e9), time.UTC).Add(-time.Duration(i) * time.Hour), Status: "active", Valid: rng.IntN(2) == 0}
		row.ValidUntil = row.AwardedAt.AddDate(5, 0, 0)
		if scheme == accreditation.SchemeEQA {
			row.Programme, row.Provider = "Programme <"+fmt.Sprint(i)+">", row.Holder
		}
		rows = append(rows, row)
	}
	l := listOf(rows)
	for _, f := range []RegisterFilter{{}, {Scheme: "EQA"}, {Level: "practitioner"}, {Text: "ada"}, {Text: "nobody"}, {Scheme: "EIA", Level: "foundation", Text: "jan"}} {
		for _, limit := range []int{1, 7, 50, 1000} {
			for _, from := range []int{0, 13, 299, 300} {
				rows, next := l.Search(f, from, limit)
				out := map[string]any{"accreditations": rows}
				if next >= 0 && len(rows) > 0 {
					out["next_cursor"] = rows[len(rows)-1].AccreditationID
				}
				var want bytes.Buffer
				if err := json.NewEncoder(&want).Encode(out); err != nil {
					t.Fatal(err)
				}
				if got := l.PageJSON(f, from, limit); !bytes.Equal(got, want.Bytes()) {
					t.Fatalf("%+v from %d limit %d:\ngot  %s\nwant %s", f, from, limit, got, want.Bytes())
				}
				// Appended to what a buffer holds (the API's pooled one), after it.
				held := []byte("held ")
				if got := l.AppendPageJSON(held, f, from, limit); !bytes.Equal(got, append([]byte("held "), want.Bytes()...)) {
					t.Fatalf("%+v from %d limit %d, appended to %q:\ngot  %s\nwant %s", f, from, limit, held, got, want.Bytes())
				}
			}
		}
	}
	var whole bytes.Buffer
	if err := json.NewEncoder(&whole).Encode(map[string]any{"accreditations": rows}); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.JSON(); !bytes.Equal(got, whole.Bytes()) {
		t.Fatalf("the whole list:\ngot  %s\nwant %s", got, whole.Bytes())
	}
	if got, _ := listOf(nil).JSON(); string(got) != "{\"accreditations\":[]}\n" {
		t.Fatalf("the empty list: %s", got)
	}
}

// listOf is the list of rows, in their order, shaped as Listed shapes them.
func listOf(rows []RegisterRow) *RegisterList {
	l := &RegisterList{rows: []*shapedRow{}}
	for _, row := range rows {
		s := &shapedRow{RegisterRow: row, listed: true, text: search.Fold(row.Holder + " " + row.Programme + " " + row.Provider)}
		s.json, _ = json.Marshal(&s.RegisterRow)
		l.rows = append(l.rows, s)
	}
	return l
}

// TestAcceptsGzipReadsTheHeaderAsRFC9110Does: "*" stands only for the
// codings not named, so gzip named with q=0 is refused whatever "*" says;
// it once took "*, gzip;q=0" as a yes.
func TestAcceptsGzipReadsTheHeaderAsRFC9110Does(t *testing.T) {
	for header, want := range map[string]bool{
		"":                      false,
		"gzip":                  true,
		"GZIP;q=0.5":            true,
		"br, gzip;q=0":          false,
		"*":                     true,
		"*;q=0":                 false,
		"*, gzip;q=0":           false,
		"gzip;q=0, *":           false,
		"*;q=0, gzip":           true,
		"identity, *;q=0.1":     true,
		"gzip;q=x":              false,
		"deflate, br;q=1.0":     false,
		" gzip ; q=1 , deflate": true,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("Accept-Encoding %q: got %v, want %v", header, got, want)
		}
	}
}
