package projections

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	jsonv1 "github.com/go-json-experiment/json/v1"
)

// A snapshot is a JSON document of a few large parts (the models, and the
// cases' chunks), hundreds of megabytes at scale. Decoded as one document,
// encoding/json scanned and copied every part once more for each level it
// sat under before the part's own decoding (a fifth of a start from the
// snapshot). So the head of each such document gives its parts' sizes, and
// a reader cuts the parts out by them, scanning nothing; the document stays
// valid JSON.

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

// encodeChunked writes items as {"sizes":[...],"chunks":[[...],...]}, in
// chunks of chunkCases items encoded on every core, so that
// decodeChunked decodes them on every core too.
func encodeChunked[T any](items []T) (parts, error) {
	chunks := make([][]byte, (len(items)+chunkCases-1)/chunkCases)
	err := eachOnCores(len(chunks), func(i int) error {
		var err error
		chunks[i], err = json.Marshal(items[i*chunkCases : min((i+1)*chunkCases, len(items))])
		return err
	})
	if err != nil {
		return nil, err
	}
	head := sizedChunks{Sizes: chunkSizes(chunks)}
	return joinChunks(head, chunks)
}

// chunkSizes lists the sizes of encoded chunks, for a head.
func chunkSizes(chunks [][]byte) []int {
	sizes := make([]int, len(chunks))
	for i, c := range chunks {
		sizes[i] = len(c)
	}
	return sizes
}

// parts are a JSON document as pieces written one after the other: a
// chunked model's head and its chunks are kept apart, not copied into one
// buffer, which held the size of the snapshot once more while it was
// written.
type parts [][]byte

var comma = []byte(",")

func (p parts) size() int {
	n := 0
	for _, b := range p {
		n += len(b)
	}
	return n
}

// join is the document in one piece.
func (p parts) join() []byte { return bytes.Join(p, nil) }

func (p parts) writeTo(w io.Writer) error {
	for _, b := range p {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// whole makes an encoder of one piece an encoder of parts.
func whole(encode func() ([]byte, error)) func() (parts, error) {
	return func() (parts, error) {
		b, err := encode()
		return parts{b}, err
	}
}

// joinChunks writes head (a JSON object) with the encoded chunks added as
// its "chunks", as parts that share the chunks.
func joinChunks(head any, chunks [][]byte) (parts, error) {
	h, err := json.Marshal(head)
	if err != nil {
		return nil, err
	}
	p := make(parts, 0, 2*len(chunks)+2)
	p = append(p, append(h[:len(h)-1], `,"chunks":[`...))
	for i, c := range chunks {
		if i > 0 {
			p = append(p, comma)
		}
		p = append(p, c)
	}
	return append(p, []byte("]}")), nil
}

// decodeChunked reads what encodeChunked wrote.
func decodeChunked[T any](data []byte) ([]T, error) {
	chunks, err := splitChunked(data)
	if err != nil {
		return nil, err
	}
	parts := make([][]T, len(chunks))
	err = eachOnCores(len(chunks), func(i int) error {
		if err := unmarshal(chunks[i], &parts[i]); err != nil {
			return err
		}
		dropPages(chunks[i])
		return nil
	})
	if err != nil {
		return nil, err
	}
	var items []T
	for _, p := range parts {
		items = append(items, p...)
	}
	return items, nil
}

// unmarshal decodes a snapshot's model with encoding/json's semantics on
// its successor's decoder (jsonv1), as the replay decodes payloads: the
// same values and errors, without encoding/json's validating pass over the
// input before it decodes: a quarter less CPU for the read models' restore
// at 1M events (11.6 s against 8.5 in one process, load 2 to 6).
func unmarshal(data []byte, v any) error { return jsonv1.Unmarshal(data, v) }

// splitChunked cuts what encodeChunked wrote into its chunks, each a JSON
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
