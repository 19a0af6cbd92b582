package evidence_test

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/emcc/accredit/domain/evidence"
)

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range files {
		f, _ := w.Create(name)
		_, _ = f.Write([]byte(body))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDetectByContentNotName(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content []byte
		want    string // "" = refused
	}{
		{"pdf", "cert.pdf", []byte("%PDF-1.7\n..."), "pdf"},
		{"pdf named txt is still pdf", "cert.txt", []byte("%PDF-1.4 rest"), "pdf"},
		{"png", "a.png", []byte("\x89PNG\r\n\x1a\nrest"), "png"},
		{"jpeg", "a.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2}, "jpeg"},
		{"plain text", "notes.txt", []byte("Reflectie op mijn praktijk: één sessie."), "txt"},
		{"markdown by name", "notes.md", []byte("# Reflection\n\n- one"), "markdown"},
		{"docx", "a.docx", zipOf(t, map[string]string{"[Content_Types].xml": "<x/>", "word/document.xml": "<w/>"}), "docx"},
		{"odt", "a.odt", zipOf(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}), "odt"},
		{"other zip refused", "a.docx", zipOf(t, map[string]string{"payload.exe": "MZ"}), ""},
		{"spreadsheet odf refused", "a.odt", zipOf(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}), ""},
		{"executable named pdf refused", "cv.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00"), ""},
		{"binary refused", "a.txt", []byte{0, 1, 2, 3}, ""},
		{"html text with NUL refused", "a.txt", []byte("hi\x00there"), ""},
		{"invalid utf-8 refused", "a.txt", []byte{0xC3, 0x28}, ""},
		{"empty refused", "a.txt", []byte{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ, ok := evidence.Detect(bytes.NewReader(tc.content), int64(len(tc.content)), tc.file)
			if got := map[bool]string{true: typ.ID, false: ""}[ok]; got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLongTextWithMultibyteRunesAcrossChunks(t *testing.T) {
	text := bytes.Repeat([]byte("é"), 100_000) // 200 kB, runes straddle every chunk boundary
	if typ, ok := evidence.Detect(bytes.NewReader(text), int64(len(text)), "a.txt"); !ok || typ.ID != "txt" {
		t.Fatalf("got %v %v, want txt", typ, ok)
	}
}
