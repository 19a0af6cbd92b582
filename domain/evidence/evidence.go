// Package evidence checks evidence files before they are stored: the size
// limit, and the file type judged by content, never by name, with a name
// that must agree with the content (the kinds of evidence are the case's:
// accreditation.EvidenceKinds). DOCX and ODT are opened as
// the zip containers they are: the parts they must have are looked for and
// every part is unpacked (to nowhere) against a size and ratio limit, so that
// neither a plain zip renamed .docx nor a zip bomb gets in; the parts are
// counted before archive/zip reads the directory into memory.
// Files are stored encrypted with their owner's key (domain/pii) through the
// Blobs port, in a JetStream object store in production.
//
// It imports nothing but the standard library.
package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultMaxSize is the default upload limit: 20 MiB.
const DefaultMaxSize = 20 << 20

// Per-case quotas by default: files and bytes of evidence on one case.
const (
	DefaultMaxCaseFiles = 50
	DefaultMaxCaseBytes = 200 << 20
)

// DefaultMaxApplicantBytes is the default quota of one applicant's
// evidence, on all their cases together: 1 GiB, five cases full to the
// per-case quota (the system's own figure, not the EMCC's).
const DefaultMaxApplicantBytes = 1 << 30

// Limits of a DOCX or ODT container: what it may unpack to in all, how much
// larger than the file that may be, and how many parts it may have. Real
// documents unpack to a few times their size; a zip bomb to thousands.
const (
	MaxUnpacked     = 100 << 20
	MaxRatio        = 100
	ratioFloor      = 1 << 20 // below this in all, a high ratio harms nobody
	MaxZipEntries   = 10_000
	odtMediaType    = "application/vnd.oasis.opendocument.text"
	textCheckChunk  = 64 << 10
	sniffHeadLength = 8192
)

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
	{"odt", odtMediaType, ".odt"},
	{"txt", "text/plain; charset=utf-8", ".txt"},
	{"markdown", "text/markdown; charset=utf-8", ".md"},
	{"png", "image/png", ".png"},
	{"jpeg", "image/jpeg", ".jpg"},
}

// extensions are the names each type may go by besides its Extension.
var extensions = map[string][]string{
	"txt":      {".txt", ".text"},
	"markdown": {".md", ".markdown"},
	"jpeg":     {".jpg", ".jpeg"},
}

func typeByID(id string) Type {
	for _, t := range Types {
		if t.ID == id {
			return t
		}
	}
	return Type{}
}

// Refusal says why a file was refused. Real is the type its content shows
// when that is an accepted type under the wrong name, else "".
type Refusal struct {
	Reason string
	Real   string
}

func (r *Refusal) Error() string { return r.Reason }

func refuse(format string, args ...any) (Type, error) {
	return Type{}, &Refusal{Reason: fmt.Sprintf(format, args...)}
}

// ErrNotAccepted is wrapped by a refusal of a type that is not accepted at all.
var ErrNotAccepted = errors.New("this file type is not accepted (judged by its content): PDF, DOCX, ODT, TXT, Markdown, PNG or JPEG")

// BaseName is an upload's file name without the directories a client sent
// with it: what follows its last / or \ (a Windows path, as old browsers
// and some clients send one; Go's multipart reader drops a path only up to
// a /). A name of no file ("", ".", "..", one ending in a separator) is "".
// It is what is kept and offered back as the file's name, and what its
// extension is judged by (RFC 7578, 4.2: a path sent with a name is not
// used).
func BaseName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	if name == "." || name == ".." {
		return ""
	}
	return name
}

// extOf is the lower-cased extension of a file name ("" for none), judged
// by its BaseName.
func extOf(name string) string {
	name = BaseName(name)
	i := strings.LastIndexByte(name, '.')
	if i <= 0 { // no dot, or a dot file such as ".profile"
		return ""
	}
	return strings.ToLower(name[i:])
}

// Check judges a file by its content and requires its name, when it has an
// extension, to agree: a text named .pdf is refused, naming what it is.
func Check(r io.ReaderAt, size int64, name string) (Type, error) {
	typ, err := Detect(r, size, name)
	if err != nil {
		return Type{}, err
	}
	ext := extOf(name)
	if ext == "" {
		return typ, nil
	}
	names := extensions[typ.ID]
	if names == nil {
		names = []string{typ.Extension}
	}
	for _, e := range names {
		if e == ext {
			return typ, nil
		}
	}
	return Type{}, &Refusal{Real: typ.ID, Reason: fmt.Sprintf("the file's content is %s (%s) but its name ends in %s; give it the %s extension or choose the right file",
		strings.ToUpper(typ.ID), typ.MediaType, ext, typ.Extension)}
}

// Detect judges a whole file by its content. name only tells Markdown from
// plain text, which content cannot. Anything not accepted is a *Refusal.
func Detect(r io.ReaderAt, size int64, name string) (Type, error) {
	head := make([]byte, min(max(size, 0), sniffHeadLength))
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return typeByID("pdf"), nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return typeByID("png"), nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return typeByID("jpeg"), nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return detectZip(r, size)
	case size > 0 && isText(r, size):
		if e := extOf(name); e == ".md" || e == ".markdown" {
			return typeByID("markdown"), nil
		}
		return typeByID("txt"), nil
	}
	return Type{}, &Refusal{Reason: ErrNotAccepted.Error()}
}

// detectZip accepts a DOCX (an OOXML package with [Content_Types].xml and
// word/document.xml) or an ODT (its mimetype part says so, and it has a
// content.xml), within the unpacking limits; any other zip is refused.
func detectZip(r io.ReaderAt, size int64) (Type, error) {
	// archive/zip reads the whole directory into memory (some 250 bytes a
	// record) before its length can be looked at: a file of the size limit
	// in empty parts would take a hundred megabytes. Every record it reads
	// starts with the directory signature, at offsets of its own, so there
	// are no more records than times the signature occurs.
	if n := occurrences(r, size, []byte("PK\x01\x02"), MaxZipEntries+1); n > MaxZipEntries {
		return refuse("the document has more than %d parts, the most allowed", MaxZipEntries)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return refuse("the file is a damaged zip container: %v", err)
	}
	if len(zr.File) > MaxZipEntries {
		return refuse("the document has %d parts, more than the %d allowed", len(zr.File), MaxZipEntries)
	}
	parts := make(map[string]*zip.File, len(zr.File))
	var declared uint64
	for _, f := range zr.File {
		if _, dup := parts[f.Name]; dup {
			return refuse("the document holds the part %q twice", f.Name)
		}
		parts[f.Name] = f
		declared += f.UncompressedSize64
		if f.UncompressedSize64 > MaxUnpacked || declared > MaxUnpacked {
			return refuse("the document unpacks to more than %d bytes", MaxUnpacked)
		}
	}
	if err := ratioOK(declared, size); err != nil {
		return Type{}, err
	}
	var typ Type
	if f := parts["mimetype"]; f != nil {
		b, err := readPart(f, 256)
		if err != nil {
			return refuse("the document's mimetype part cannot be read: %v", err)
		}
		if strings.TrimSpace(string(b)) != odtMediaType {
			return refuse("an OpenDocument file that is not a text document (%.80q); only ODT is accepted", b)
		}
		if parts["content.xml"] == nil {
			return refuse("an ODT without content.xml")
		}
		typ = typeByID("odt")
	} else {
		var missing []string
		for _, p := range []string{"[Content_Types].xml", "word/document.xml"} {
			if parts[p] == nil {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			return refuse("a zip file that is not a DOCX (it lacks %s) nor an ODT; zip files are not accepted", strings.Join(missing, " and "))
		}
		typ = typeByID("docx")
	}
	// Unpack every part to nowhere: archive/zip stops a part that grows past
	// its declared size, so the sizes above are the real ones, and a part
	// that is damaged or lies about its checksum is caught here.
	var unpacked int64
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return refuse("the document's part %q cannot be unpacked: %v", f.Name, err)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, MaxUnpacked-unpacked+1))
		rc.Close()
		unpacked += n
		if unpacked > MaxUnpacked {
			return refuse("the document unpacks to more than %d bytes", MaxUnpacked)
		}
		if err != nil {
			return refuse("the document's part %q is damaged: %v", f.Name, err)
		}
	}
	if err := ratioOK(uint64(unpacked), size); err != nil {
		return Type{}, err
	}
	return typ, nil
}

// occurrences counts the times sig occurs in the size bytes of r, reading
// them a chunk at a time, and stops counting at limit.
func occurrences(r io.ReaderAt, size int64, sig []byte, limit int) int {
	buf := make([]byte, len(sig)-1+textCheckChunk)
	n, keep := 0, 0
	for off := int64(0); off < size && n < limit; {
		m, err := r.ReadAt(buf[keep:keep+int(min(int64(textCheckChunk), size-off))], off)
		b := buf[:keep+m]
		n += bytes.Count(b, sig)
		if err != nil && err != io.EOF || m == 0 {
			break
		}
		off += int64(m)
		keep = copy(buf, b[max(0, len(b)-(len(sig)-1)):])
	}
	return n
}

func ratioOK(unpacked uint64, size int64) error {
	if unpacked > ratioFloor && size > 0 && unpacked/uint64(size) > MaxRatio {
		return &Refusal{Reason: fmt.Sprintf("the document unpacks to %d times its size, more than the %d allowed (a zip bomb?)", unpacked/uint64(size), MaxRatio)}
	}
	return nil
}

func readPart(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit))
}

// isText accepts valid UTF-8 without NUL or other binary control bytes. It
// reads the file in chunks, holding back a rune cut by a chunk's end, so
// memory stays small whatever the size.
func isText(r io.ReaderAt, size int64) bool {
	sr := io.NewSectionReader(r, 0, size)
	buf := make([]byte, utf8.UTFMax+textCheckChunk)
	keep := 0
	for {
		n, err := sr.Read(buf[keep:])
		if err != nil && err != io.EOF {
			return false
		}
		eof := err == io.EOF
		b := buf[:keep+n]
		cut := len(b)
		if !eof {
			for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
				if utf8.RuneStart(b[i]) {
					if !utf8.FullRune(b[i:]) {
						cut = i
					}
					break
				}
			}
		}
		if !utf8.Valid(b[:cut]) {
			return false
		}
		for _, c := range b[:cut] {
			if c < 0x09 || (c > 0x0D && c < 0x20) || c == 0x7F {
				return false
			}
		}
		keep = copy(buf, b[cut:])
		if eof {
			return true
		}
	}
}

// ErrNoBlob is returned by a Blobs for a name with no object.
var ErrNoBlob = errors.New("no such object")

// Blobs stores evidence files by name, streaming both ways so that a file
// is never held whole in memory. The conformance suite every
// implementation passes is evidence/blobstest.
type Blobs interface {
	// Put stores what r yields under name, replacing any object there. If
	// r fails, Put returns its error and stores nothing.
	Put(ctx context.Context, name string, r io.Reader) error
	// Get opens the object name, or returns ErrNoBlob; the caller closes it.
	Get(ctx context.Context, name string) (io.ReadCloser, error)
	// Delete removes the object name; a name with none is not an error.
	Delete(ctx context.Context, name string) error
	// Walk calls fn with the name of each object stored and when it was
	// stored, one at a time, holding none of them (a deleted object is
	// not given); an error from fn stops it and is returned. An object put
	// or deleted while it walks may or may not be given.
	Walk(ctx context.Context, fn func(name string, stored time.Time) error) error
}

// Gate bounds the uploads in flight, per person and in all, so that many
// at once cannot take the server's memory, disk or store bandwidth.
type Gate struct {
	mu      sync.Mutex
	total   int
	perUser int
	n       int
	by      map[string]int
}

// Defaults of the gate: uploads in flight in all and per person.
const (
	DefaultUploadsInFlight = 16
	DefaultUploadsPerUser  = 2
)

// NewGate admits at most total uploads at once, and perUser of one person.
// A value <= 0 takes the default.
func NewGate(total, perUser int) *Gate {
	if total <= 0 {
		total = DefaultUploadsInFlight
	}
	if perUser <= 0 {
		perUser = DefaultUploadsPerUser
	}
	return &Gate{total: total, perUser: perUser, by: map[string]int{}}
}

// Limits returns the gate's limits: in all, and per person.
func (g *Gate) Limits() (total, perUser int) { return g.total, g.perUser }

// InFlight is the number of uploads admitted and not yet released.
func (g *Gate) InFlight() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

// Enter admits one upload of user, or not. When admitted, release must be
// called once the upload is over.
func (g *Gate) Enter(user string) (release func(), ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n >= g.total || g.by[user] >= g.perUser {
		return nil, false
	}
	g.n++
	g.by[user]++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.n--
			if g.by[user]--; g.by[user] <= 0 {
				delete(g.by, user)
			}
		})
	}, true
}
