package evidence_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain/evidence"
)

func zipOf(t testing.TB, files map[string]string) []byte {
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

func docx(t testing.TB) []byte {
	return zipOf(t, map[string]string{"[Content_Types].xml": "<x/>", "word/document.xml": "<w/>"})
}

func TestDetectByContentNotName(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content []byte
		want    string // "" = refused
	}{
		{"pdf", "cert.pdf", []byte("%PDF-1.7\n..."), "pdf"},
		{"pdf named in capitals", "CERT.PDF", []byte("%PDF-1.7\n..."), "pdf"},
		{"pdf without extension", "cert", []byte("%PDF-1.7\n..."), "pdf"},
		{"png", "a.png", []byte("\x89PNG\r\n\x1a\nrest"), "png"},
		{"jpeg", "a.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2}, "jpeg"},
		{"jpeg as .jpeg", "a.jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2}, "jpeg"},
		{"plain text", "notes.txt", []byte("Reflectie op mijn praktijk: één sessie."), "txt"},
		{"markdown by name", "notes.md", []byte("# Reflection\n\n- one"), "markdown"},
		{"windows path", `C:\Users\carla\notes.md`, []byte("# Reflection"), "markdown"},
		{"docx", "a.docx", docx(t), "docx"},
		{"odt", "a.odt", zipOf(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}), "odt"},
		{"other zip refused", "a.docx", zipOf(t, map[string]string{"payload.exe": "MZ"}), ""},
		{"docx without document.xml refused", "a.docx", zipOf(t, map[string]string{"[Content_Types].xml": "<x/>"}), ""},
		{"docx without content types refused", "a.docx", zipOf(t, map[string]string{"word/document.xml": "<w/>"}), ""},
		{"odt without content.xml refused", "a.odt", zipOf(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text"}), ""},
		{"spreadsheet odf refused", "a.odt", zipOf(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}), ""},
		{"truncated zip refused", "a.docx", docx(t)[:40], ""},
		{"executable named pdf refused", "cv.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00"), ""},
		{"binary refused", "a.txt", []byte{0, 1, 2, 3}, ""},
		{"html text with NUL refused", "a.txt", []byte("hi\x00there"), ""},
		{"invalid utf-8 refused", "a.txt", []byte{0xC3, 0x28}, ""},
		{"empty refused", "a.txt", []byte{}, ""},
		{"text named pdf refused", "fake.pdf", []byte("just some text"), ""},
		{"pdf named txt refused", "cert.txt", []byte("%PDF-1.4 rest"), ""},
		{"png named jpg refused", "a.jpg", []byte("\x89PNG\r\n\x1a\nrest"), ""},
		{"docx named odt refused", "a.odt", docx(t), ""},
		{"text with an unknown extension refused", "data.csv", []byte("a,b\n1,2\n"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ, err := evidence.Check(bytes.NewReader(tc.content), int64(len(tc.content)), tc.file)
			got := typ.ID
			if err != nil {
				got = ""
				var r *evidence.Refusal
				if !errors.As(err, &r) {
					t.Fatalf("error %v is not a *Refusal", err)
				}
			}
			if got != tc.want {
				t.Fatalf("got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestMismatchNamesTheRealType(t *testing.T) {
	_, err := evidence.Check(strings.NewReader("just text"), 9, "fake.pdf")
	var r *evidence.Refusal
	if !errors.As(err, &r) || r.Real != "txt" || !strings.Contains(r.Reason, "TXT") || !strings.Contains(r.Reason, ".pdf") {
		t.Fatalf("got %v, want a refusal naming TXT and .pdf", err)
	}
}

func TestLongTextWithMultibyteRunesAcrossChunks(t *testing.T) {
	for _, prefix := range []string{"", "a", "ab", "abc"} { // shift the runes over the chunk boundary
		text := append([]byte(prefix), bytes.Repeat([]byte("é€😀"), 30_000)...)
		if typ, err := evidence.Check(bytes.NewReader(text), int64(len(text)), "a.txt"); err != nil || typ.ID != "txt" {
			t.Fatalf("prefix %q: got %v %v, want txt", prefix, typ, err)
		}
	}
	bad := append(bytes.Repeat([]byte("é"), 100_000), 0xC3) // a cut rune at the very end
	if _, err := evidence.Check(bytes.NewReader(bad), int64(len(bad)), "a.txt"); err == nil {
		t.Fatal("text ending in half a rune accepted")
	}
	nul := append(bytes.Repeat([]byte("x"), 200_000), 0)
	if _, err := evidence.Check(bytes.NewReader(nul), int64(len(nul)), "a.txt"); err == nil {
		t.Fatal("a NUL past the first chunk accepted")
	}
}

func TestZipBombRefused(t *testing.T) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, p := range []string{"[Content_Types].xml", "word/document.xml"} {
		f, _ := w.Create(p)
		_, _ = f.Write([]byte("<x/>"))
	}
	f, _ := w.Create("word/media/zeros.bin")
	_, _ = f.Write(make([]byte, 20<<20)) // deflates about 1000:1
	_ = w.Close()
	_, err := evidence.Check(bytes.NewReader(b.Bytes()), int64(b.Len()), "bomb.docx")
	if err == nil || !strings.Contains(err.Error(), "times its size") {
		t.Fatalf("got %v, want a ratio refusal", err)
	}
}

// TestZipOfTooManyPartsRefusedBeforeItsDirectoryIsRead: a file within the
// size limit may hold hundreds of thousands of empty parts; archive/zip
// reads its whole directory into memory (some 250 bytes a part) before the
// count can be looked at, so such a file is refused by counting its
// directory's records first, its memory staying small: uploads checked at
// once must not each take a hundred megabytes.
func TestZipOfTooManyPartsRefusedBeforeItsDirectoryIsRead(t *testing.T) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, p := range []string{"[Content_Types].xml", "word/document.xml"} {
		f, _ := w.Create(p)
		_, _ = f.Write([]byte("<x/>"))
	}
	for i := range 200_000 { // about 18 MB, within the upload limit
		_, _ = w.CreateRaw(&zip.FileHeader{Name: strconv.Itoa(i), Method: zip.Store})
	}
	_ = w.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := evidence.Check(bytes.NewReader(b.Bytes()), int64(b.Len()), "many.docx")
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "parts") {
		t.Fatalf("got %v, want a refusal naming the parts", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Fatalf("checking a zip of %d bytes in many parts allocated %d MiB, want at most 4", b.Len(), got>>20)
	}
}

// A part whose header declares a small size but whose data unpacks larger
// is caught by unpacking, not believed.
func TestLyingZipHeaderRefused(t *testing.T) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, p := range []string{"[Content_Types].xml", "word/document.xml"} {
		f, _ := w.Create(p)
		_, _ = f.Write([]byte("<x/>"))
	}
	big := bytes.Repeat([]byte("<p/>"), 1<<18)
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	_, _ = fw.Write(big)
	_ = fw.Close()
	raw, _ := w.CreateRaw(&zip.FileHeader{Name: "word/styles.xml", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(big), CompressedSize64: uint64(comp.Len()), UncompressedSize64: 10})
	_, _ = raw.Write(comp.Bytes())
	_ = w.Close()
	if _, err := evidence.Check(bytes.NewReader(b.Bytes()), int64(b.Len()), "a.docx"); err == nil {
		t.Fatal("a part larger than its header says was accepted")
	}
}

// FuzzCheck: any content under any name is accepted as one of the types,
// with a name that agrees, or refused with a *Refusal; never a panic.
func FuzzCheck(f *testing.F) {
	f.Add([]byte("%PDF-1.7\n"), "a.pdf")
	f.Add([]byte("\x89PNG\r\n\x1a\n"), "a.png")
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE0}, "a.jpeg")
	f.Add([]byte("# notes\n"), "n.md")
	f.Add([]byte("text"), "fake.pdf")
	f.Add(docx(f), "a.docx")
	f.Add(zipOf(f, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}), "a.odt")
	f.Add(zipOf(f, map[string]string{"payload.exe": "MZ"}), "a.docx")
	f.Add([]byte("PK\x03\x04garbage"), "a.docx")
	f.Add([]byte{0xC3}, `C:\x\.txt`)
	f.Fuzz(func(t *testing.T, content []byte, name string) {
		typ, err := evidence.Check(bytes.NewReader(content), int64(len(content)), name)
		if err != nil {
			var r *evidence.Refusal
			if !errors.As(err, &r) || r.Reason == "" {
				t.Fatalf("got %T %v, want a *Refusal with a reason", err, err)
			}
			return
		}
		known := false
		for _, x := range evidence.Types {
			known = known || x == typ
		}
		if !known {
			t.Fatalf("accepted as %+v, not one of the types", typ)
		}
		d, err := evidence.Detect(bytes.NewReader(content), int64(len(content)), name)
		if err != nil || d != typ {
			t.Fatalf("Check says %v, Detect says %v %v", typ, d, err)
		}
	})
}
