package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/projections"
)

// The queues' answers are written by hand, byte for byte what
// encoding/json writes for them (queuejson_test.go checks it on random
// items): through reflection, a page of 50 items took a third of the
// queue's CPU per request at 10k cases, most of it in time.Time's
// MarshalJSON and the compaction of its output. The page's items depend on
// the time of the request (waiting days, overdue), so they cannot be
// encoded once and kept like the register's rows.

var queueBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// queueField is one field of a queue answer: its name and how to append
// its value.
type queueField struct {
	name  string
	value func(b []byte) []byte
}

// writeQueue answers with the object of fields, in the order given (the
// names' order, as encoding/json writes a map). ?pretty gets
// encoding/json's indented form of the same.
func writeQueue(c echo.Context, fields []queueField, asMap func() map[string]any) error {
	if _, pretty := c.QueryParams()["pretty"]; pretty {
		return c.JSON(http.StatusOK, asMap())
	}
	bp := queueBuffers.Get().(*[]byte)
	defer queueBuffers.Put(bp)
	b := append((*bp)[:0], '{')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.name)
		b = append(b, ':')
		b = f.value(b)
	}
	b = append(b, "}\n"...)
	*bp = b
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(b)))
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

func itemsField(name string, items []projections.QueueItem) queueField {
	return queueField{name, func(b []byte) []byte {
		if items == nil {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i := range items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendQueueItem(b, &items[i])
		}
		return append(b, ']')
	}}
}

func boolField(name string, v bool) queueField {
	return queueField{name, func(b []byte) []byte { return strconv.AppendBool(b, v) }}
}

func uintField(name string, v uint64) queueField {
	return queueField{name, func(b []byte) []byte { return strconv.AppendUint(b, v, 10) }}
}

func stringField(name, v string) queueField {
	return queueField{name, func(b []byte) []byte { return appendJSONString(b, v) }}
}

func intField(name string, v int) queueField {
	return queueField{name, func(b []byte) []byte { return strconv.AppendInt(b, int64(v), 10) }}
}

// appendQueueItem appends it as encoding/json writes a QueueItem.
func appendQueueItem(b []byte, it *projections.QueueItem) []byte {
	b = append(b, `{"case_id":`...)
	b = appendJSONString(b, it.CaseID)
	b = append(b, `,"scheme":`...)
	b = appendJSONString(b, string(it.Scheme))
	b = append(b, `,"level":`...)
	b = appendJSONString(b, string(it.Level))
	b = append(b, `,"language":`...)
	b = appendJSONString(b, it.Language)
	b = append(b, `,"state":`...)
	b = appendJSONString(b, string(it.State))
	b = append(b, `,"submitted_at":`...)
	b = appendJSONTime(b, it.SubmittedAt)
	b = append(b, `,"waiting_days":`...)
	b = strconv.AppendInt(b, int64(it.WaitingDays), 10)
	if !it.DueAt.IsZero() { // omitzero
		b = append(b, `,"due_at":`...)
		b = appendJSONTime(b, it.DueAt)
	}
	b = append(b, `,"overdue":`...)
	b = strconv.AppendBool(b, it.Overdue)
	if it.AssessorID != "" {
		b = append(b, `,"assessor_id":`...)
		b = appendJSONString(b, it.AssessorID)
	}
	if it.VerifierID != "" {
		b = append(b, `,"verifier_id":`...)
		b = appendJSONString(b, it.VerifierID)
	}
	if it.MyRole != "" {
		b = append(b, `,"my_role":`...)
		b = appendJSONString(b, string(it.MyRole))
	}
	if len(it.Claimable) > 0 {
		b = append(b, `,"claimable":[`...)
		for i, r := range it.Claimable {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, string(r))
		}
		b = append(b, ']')
	}
	if it.Barred {
		b = append(b, `,"barred":true`...)
	}
	return append(b, '}')
}

// appendJSONTime appends t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds as needed). A year outside 0-9999, which MarshalJSON
// refuses, is written null: the queue's times come from events and the
// SLA, never that far.
func appendJSONTime(b []byte, t time.Time) []byte {
	if y := t.Year(); y < 0 || y > 9999 {
		return appendMarshalled(b, t)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendJSONString appends s quoted. Plain ASCII, the ids and enums of a
// queue, is appended as it is; anything encoding/json would escape (quotes,
// backslashes, control characters, <, >, &, non-ASCII) goes through it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plainJSON[s[i]] {
			return appendMarshalled(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainJSON is the bytes encoding/json writes as they are: one look-up a
// byte, not seven comparisons (the queues write some 300 strings a page).
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

func appendMarshalled(b []byte, v any) []byte {
	out, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...) // not reached for a string
	}
	return append(b, out...)
}
