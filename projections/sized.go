package projections

import (
	"bytes"
	"encoding/json"
	"fmt"

	jsonv1 "github.com/go-json-experiment/json/v1"
)

// A snapshot is a JSON document of a few large parts (the models, and the
// cases' chunks), hundreds of megabytes at scale. Decoded as one document,
// encoding/json scanned and copied every part once more for each level it
// sat under before the part's own decoding (a fifth of a start from the
// snapshot). So the head of each such document gives its parts' sizes, and
// a reader cuts the parts out by them, scanning nothing; the document stays
// valid JSON. In a file, a head may be followed by spaces (the room it was
// given before its parts were written: see snapwrite.go).

// splitSized cuts the parts out of b, written as
// {<head>,"<key>":[<part>,<part>...]} (open '[' and close ']'), or with
// open '{' and close '}' as {<head>,"<key>":{"<name>":<part>,...}}, by
// their sizes (and names), which its head gave: sub-slices of b.
func splitSized(b []byte, key string, open, close byte, names []string, sizes []int) (parts [][]byte, err error) {
	var rest []byte
	if _, rest, err = cutHead(b, key, open); err != nil {
		return nil, err
	}
	for i, n := range sizes {
		if i > 0 {
			if len(rest) == 0 || rest[0] != ',' {
				return nil, fmt.Errorf("part %d of %q: no comma before it", i, key)
			}
			rest = rest[1:]
		}
		if names != nil {
			name, _ := json.Marshal(names[i])
			name = append(name, ':')
			if !bytes.HasPrefix(rest, name) {
				return nil, fmt.Errorf("part %s of %q not where its size puts it", name, key)
			}
			rest = rest[len(name):]
		}
		if n < 0 || n > len(rest) {
			return nil, fmt.Errorf("part %d of %q: size %d past the end", i, key, n)
		}
		parts, rest = append(parts, rest[:n]), rest[n:]
	}
	if string(rest) != string([]byte{close, '}'}) {
		return nil, fmt.Errorf("%q: %d bytes after its parts", key, len(rest))
	}
	return parts, nil
}

// cutHead returns the fields of b before key, as a JSON object of their
// own (a copy), and what follows key's opening bracket.
func cutHead(b []byte, key string, open byte) (head, rest []byte, err error) {
	mark := []byte(`,"` + key + `":` + string(open))
	i := bytes.Index(b, mark)
	if i < 0 || len(b) == 0 || b[0] != '{' {
		return nil, nil, fmt.Errorf("no %q in the snapshot", key)
	}
	return append(b[:i:i], '}'), b[i+len(mark):], nil
}

// sizedChunks is the head of a list written in chunks: their sizes.
type sizedChunks struct {
	Sizes []int `json:"sizes"`
}

// unmarshal decodes a snapshot's model with encoding/json's semantics on
// its successor's decoder (jsonv1), as the replay decodes payloads: the
// same values and errors, without encoding/json's validating pass over the
// input before it decodes: a quarter less CPU for the read models' restore
// at 1M events (11.6 s against 8.5 in one process, load 2 to 6).
func unmarshal(data []byte, v any) error { return jsonv1.Unmarshal(data, v) }

// splitChunked cuts a list written in chunks (see writeChunks) into its chunks, each a JSON
// array, without decoding them.
func splitChunked(data []byte) ([][]byte, error) {
	var head sizedChunks
	h, _, err := cutHead(data, "chunks", '[')
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(h, &head); err != nil {
		return nil, err
	}
	return splitSized(data, "chunks", '[', ']', nil, head.Sizes)
}
