// Package evidence checks evidence files before they are stored: the allowed
// kinds, the size limit, and the file type judged by content, never by name.
// Files are stored encrypted with their owner's key (domain/pii) through the
// Blobs port, in a JetStream object store in production.
package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"unicode/utf8"
)

// DefaultMaxSize is the default upload limit: 20 MiB.
const DefaultMaxSize = 20 << 20

// Kinds of evidence.
var Kinds = []string{"certificate", "reflective_statement", "client_feedback", "supervisor_reference",
	"session_transcript", "cpd_record", "programme_document", "other"}

// ValidKind reports whether k is one of Kinds.
func ValidKind(k string) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Type is an accepted file type.
type Type struct {
	ID        string `json:"id"`
	MediaType string `json:"media_type"`
	Extension string `json:"extension"`
}

// Types are the accepted file types.
var Types = []Type{
	{"pdf", "application/pdf", ".pdf"},
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
	{"odt", "application/vnd.oasis.opendocument.text", ".odt"},
	{"txt", "text/plain; charset=utf-8", ".txt"},
	{"markdown", "text/markdown; charset=utf-8", ".md"},
	{"png", "image/png", ".png"},
	{"jpeg", "image/jpeg", ".jpg"},
}

func typeByID(id string) Type {
	for _, t := range Types {
		if t.ID == id {
			return t
		}
	}
	return Type{}
}

// Detect judges a whole file by its content. name only tells Markdown from
// plain text, which content cannot. ok is false for anything not accepted.
func Detect(r io.ReaderAt, size int64, name string) (Type, bool) {
	head := make([]byte, min(size, 8192))
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return typeByID("pdf"), true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return typeByID("png"), true
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return typeByID("jpeg"), true
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return detectZip(r, size)
	case size > 0 && isText(r, size):
		if strings.HasSuffix(strings.ToLower(name), ".md") || strings.HasSuffix(strings.ToLower(name), ".markdown") {
			return typeByID("markdown"), true
		}
		return typeByID("txt"), true
	}
	return Type{}, false
}

// detectZip accepts a DOCX (an OOXML package with a word/document.xml) or an
// ODT (whose mimetype entry says so); any other zip is refused.
func detectZip(r io.ReaderAt, size int64) (Type, bool) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Type{}, false
	}
	var hasContentTypes, hasWordDoc bool
	for _, f := range zr.File {
		switch f.Name {
		case "[Content_Types].xml":
			hasContentTypes = true
		case "word/document.xml":
			hasWordDoc = true
		case "mimetype":
			rc, err := f.Open()
			if err != nil {
				return Type{}, false
			}
			b, _ := io.ReadAll(io.LimitReader(rc, 100))
			rc.Close()
			if strings.TrimSpace(string(b)) == "application/vnd.oasis.opendocument.text" {
				return typeByID("odt"), true
			}
		}
	}
	if hasContentTypes && hasWordDoc {
		return typeByID("docx"), true
	}
	return Type{}, false
}

// isText accepts valid UTF-8 without NUL or other binary control bytes. The
// file is at most the upload limit, so it is read whole.
func isText(r io.ReaderAt, size int64) bool {
	b := make([]byte, size)
	if n, err := r.ReadAt(b, 0); int64(n) != size && err != nil {
		return false
	}
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x09 || (c > 0x0D && c < 0x20) || c == 0x7F {
			return false
		}
	}
	return true
}

// Blobs stores evidence files by name.
type Blobs interface {
	Put(ctx context.Context, name string, data []byte) error
	Get(ctx context.Context, name string) ([]byte, error)
	Delete(ctx context.Context, name string) error
}
