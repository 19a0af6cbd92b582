package accreditation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day without time or zone, written "2006-01-02" in JSON.
// The zero Date is no date and is written as "".
type Date struct{ t time.Time }

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date { return NewDate(t.Date()) }

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// IsZero reports whether d is no date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return d.t }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// After reports whether d is a later day than o.
func (d Date) After(o Date) bool { return d.t.After(o.t) }

// FullYearsTo returns the number of whole years from d to the day of t; 0
// for no date or a date after t.
func (d Date) FullYearsTo(t time.Time) int {
	if d.IsZero() {
		return 0
	}
	ty, tm, td := t.Date()
	y := ty - d.t.Year()
	if tm < d.t.Month() || tm == d.t.Month() && td < d.t.Day() {
		y--
	}
	return max(y, 0)
}

// MarshalJSON implements json.Marshaler: the JSON string of String(),
// written directly (a date has nothing json.Marshal would escape), not by a
// second encoder on every date of every answer.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`""`), nil
	}
	b := make([]byte, 0, len(`"2006-01-02"`))
	return append(d.t.AppendFormat(append(b, '"'), time.DateOnly), '"'), nil
}

// UnmarshalJSON implements json.Unmarshaler. A date as MarshalJSON writes
// it, quoted with no escape, is read without a second decoder (the read
// side's replay reads every portfolio's); anything else as json.Unmarshal
// reads a string, with the same results and errors.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && bytes.IndexByte(b[1:n-1], '\\') < 0 && plainASCII(b[1:n-1]) {
		s = string(b[1 : n-1])
	} else if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// plainASCII reports whether b is printable ASCII, which a JSON string
// holds as it stands (json.Unmarshal would change no byte of it).
func plainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
