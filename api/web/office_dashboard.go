package web

import (
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/projections"
)

// ---- dashboard ----

// barRow is one row of a bar table: a label, a number and the bar's length
// in percent of the largest.
type barRow struct {
	Label string
	Value int
	Pct   float64
	Href  string
}

// column is one bar of the histogram, in the SVG's coordinates.
type column struct {
	Label          string
	Value          int
	X, Y, W, H, CX float64
	TextY          float64
}

func (a *app) dashboard(x *ctx) error {
	var st projections.Stats
	a.read(func(m *projections.Models) { st = m.Cases.Stats(a.d.Now(), a.sla()) })
	var states []barRow
	maxState := 1
	for _, s := range accreditation.States {
		maxState = max(maxState, st.ByState[string(s)])
	}
	for _, s := range accreditation.States {
		v := st.ByState[string(s)]
		// The queue holds the cases in progress; the others (a draft,
		// returned, decided, withdrawn) are found by the search's filter.
		href := "/office/search?state=" + string(s)
		if s.Queued() {
			href = "/office/cases?state=" + string(s)
		}
		states = append(states, barRow{Label: x.T("state." + string(s)), Value: v, Pct: float64(v) * 100 / float64(maxState), Href: href})
	}
	// The histogram of days from submission to decision.
	const chartW, chartH, base, left = 700.0, 330.0, 250.0, 10.0
	maxB := 1
	for _, b := range st.DaysToDecisionBuckets {
		maxB = max(maxB, b.Cases)
	}
	var cols []column
	n := float64(len(st.DaysToDecisionBuckets))
	slot := (chartW - left) / max(n, 1)
	for i, b := range st.DaysToDecisionBuckets {
		label := "≤ " + itoa(b.UpToDays)
		if b.UpToDays < 0 {
			label = "> " + itoa(st.DaysToDecisionBuckets[max(i-1, 0)].UpToDays)
		}
		h := float64(b.Cases) / float64(maxB) * (base - 30)
		x0 := left + float64(i)*slot + slot*0.15
		cols = append(cols, column{Label: label, Value: b.Cases, X: x0, W: slot * 0.7, CX: x0 + slot*0.35, Y: base - h, H: h, TextY: base - h - 8})
	}
	var workload, stranded, barred []map[string]any
	var holding []accreditation.AssessorProfile // active assessors holding cases in progress
	names := map[string]string{}
	// The renewals each assessor has to assess are their work too (in the
	// figures: one who holds only renewals has a row of their own).
	loads := st.AssessorWorkload
	for _, w := range loads {
		h := a.holder(x, w.UserID)
		row := map[string]any{"Name": h.Name, "ID": w.UserID, "Disabled": h.Disabled, "Open": w.Open, "Renewals": w.Renewals, "Completed": w.Completed}
		workload = append(workload, row)
		switch {
		case h.Disabled && (w.Open > 0 || w.Renewals > 0):
			stranded = append(stranded, row) // cases and renewals waiting for the office to reassign them
		case w.Open > 0:
			if p, err := a.d.Cases.AssessorProfile(w.UserID); err == nil {
				holding, names[w.UserID] = append(holding, p), h.Name
			}
		}
	}
	// The cases their profiles, changed since, no longer allow: one look
	// at the read models for all of them.
	a.read(func(m *projections.Models) {
		for _, p := range holding {
			if n := m.Cases.BarredHeld(p); n > 0 {
				barred = append(barred, map[string]any{"Name": names[p.UserID], "ID": p.UserID, "Barred": n})
			}
		}
	})
	d := map[string]any{"S": st, "States": states, "Columns": cols, "ChartW": chartW, "ChartH": chartH, "Base": base, "Left": left,
		"Workload": workload, "Stranded": stranded, "Barred": barred, "Levels": levelIDs()}
	a.read(func(m *projections.Models) { d["Renewals"] = m.Cases.Renewals(accreditation.StateRenewalSubmitted, "") })
	return x.render(0, "dashboard", x.newPage("dashboard.title", d))
}
