package eventstore

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

var compactCases = []struct {
	data    string
	compact bool
}{
	{`null`, true}, {`true`, true}, {`false`, true}, {`0`, true}, {`-0`, true}, {`12.5e-3`, true}, {`1E+9`, true},
	{`""`, true}, {`"a\"b\\c\/d\b\f\n\r\t\u00e9\uD83D\uDE00"`, true}, {`"Zsófia 日本 \u2028"`, true},
	{`{}`, true}, {`[]`, true}, {`{"a":[1,{"b":null}],"c":"d e"}`, true}, {`[[[]],{}]`, true},
	{"\"\xff\xfe\"", true}, // encoding/json takes any byte from 0x20 in a string
	{``, false}, {` `, false}, {`nul`, false}, {`nulls`, false}, {`tru`, false}, {`01`, false}, {`1.`, false}, {`.5`, false},
	{`-`, false}, {`1e`, false}, {`+1`, false}, {`"a`, false}, {`"\x"`, false}, {`"\u12"`, false}, {`"\u12G4"`, false},
	{"\"a\tb\"", false}, {`{"a":1,}`, false}, {`[1,]`, false}, {`{"a"}`, false}, {`{a:1}`, false}, {`{"a":1`, false},
	{`[1 ,2]`, false}, {`{"a": 1}`, false}, {" {}", false}, {"{}\n", false}, {`{} {}`, false}, {`[1]]`, false},
	{strings.Repeat("[", maxCompactDepth+2) + strings.Repeat("]", maxCompactDepth+2), false},
}

// isCompactJSON is true only where json.Compact leaves the payload as it
// is, so the hash over it is unchanged; and it is true for the usual ones.
func TestCompactPayloadsAreTheirOwnCompaction(t *testing.T) {
	for _, c := range compactCases {
		if got := isCompactJSON([]byte(c.data)); got != c.compact {
			t.Errorf("isCompactJSON(%q) = %v, want %v", c.data, got, c.compact)
		}
		checkCompact(t, []byte(c.data))
	}
}

func FuzzIsCompactJSON(f *testing.F) {
	for _, c := range compactCases {
		f.Add([]byte(c.data))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkCompact(t, data) })
}

// checkCompact fails when isCompactJSON takes data that json.Compact
// refuses or changes.
func checkCompact(t *testing.T, data []byte) {
	t.Helper()
	if !isCompactJSON(data) {
		return
	}
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil || !bytes.Equal(b.Bytes(), data) {
		t.Fatalf("isCompactJSON(%q) is true, json.Compact gives %q (%v)", data, b.Bytes(), err)
	}
}
