package credential_test

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"testing"
	"time"
	"unicode/utf16"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"github.com/emcc/accredit/domain/credential"
)

// pdfText is text as the certificate's page writes it in its embedded
// font: each character's code point in two bytes (UTF-16BE), the PDF
// string's special bytes escaped.
func pdfText(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		for _, b := range []byte{byte(u >> 8), byte(u)} {
			switch b {
			case '\\', '(', ')':
				out = append(out, '\\', b)
			case '\r':
				out = append(out, '\\', 'r')
			default:
				out = append(out, b)
			}
		}
	}
	return out
}

// Names from every European alphabet are printed as written, with a
// glyph of the embedded font for each letter: the core fonts had
// cp1252's only and printed "Łukasz Wiśniewski" as ".ukasz Wi.niewski".
func TestCertificatePrintsNamesInEveryEuropeanAlphabet(t *testing.T) {
	fonts := map[string][]byte{"regular": goregular.TTF, "bold": gobold.TTF}
	for _, name := range []string{"Łukasz Wiśniewski", "Zoë Ångström", "Ζωή Παπαδοπούλου", "Тарас Шевченко", "Ştefan Țurcanu", "Jiří Dvořák", "Gréta Szőke"} {
		a := award("ACC-NAME1", time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
		a.HolderName = name
		pdf, err := credential.Certificate(a, office.VerifyURL(a.AccreditationID))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(pdf, pdfText(name)) {
			t.Errorf("the certificate does not write %q as its letters", name)
		}
		for style, ttf := range fonts {
			f, err := sfnt.Parse(ttf)
			if err != nil {
				t.Fatal(err)
			}
			var buf sfnt.Buffer
			for _, r := range name {
				if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
					t.Errorf("the %s font has no glyph for %q of %q", style, r, name)
				}
			}
		}
	}
	if !bytes.Contains(mustCertificate(t), []byte("/FontFile2")) {
		t.Error("the certificate does not embed its font")
	}
}

func mustCertificate(t *testing.T) []byte {
	t.Helper()
	a := award("ACC-NAME2", time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	pdf, err := credential.Certificate(a, office.VerifyURL(a.AccreditationID))
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

// idat is the image data of a PNG: its IDAT chunks joined.
func idat(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	for p := 8; p+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[p:]))
		if string(b[p+4:p+8]) == "IDAT" {
			out = append(out, b[p+8:p+8+n]...)
		}
		p += 12 + n
	}
	return out
}

// The certificate names the holder, the level and the validity, prints the
// verification URL, and embeds the QR code of that URL byte for byte (no
// QR decoder is available to the project, so the test checks that the
// image in the PDF is the code generated for the URL, and that it is a
// square QR image).
func TestCertificateCarriesTheQRCodeOfTheVerificationPage(t *testing.T) {
	a := award("ACC-QR1", time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	a.HolderName = "Zoë Ångström"
	url := office.VerifyURL(a.AccreditationID)
	pdf, err := credential.Certificate(a, url)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", pdf)
	}
	for _, want := range []string{"Certificate of Accreditation", "EMCC Individual Accreditation (EIA)", "at the level Senior Practitioner",
		"valid until 1 June 2031", "Accreditation ACC-QR1", url, "Zoë Ångström"} {
		if !bytes.Contains(pdf, pdfText(want)) {
			t.Errorf("the certificate lacks %q", want)
		}
	}
	qr, err := credential.QRCode(url)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(qr))
	if err != nil || img.Bounds().Dx() != img.Bounds().Dy() {
		t.Fatalf("QR code: %v, %v", err, img.Bounds())
	}
	data := idat(t, qr)
	if len(data) == 0 || !bytes.Contains(pdf, data) {
		t.Error("the PDF does not embed the QR code of the verification URL")
	}
	other, _ := credential.QRCode(url + "x")
	if bytes.Contains(pdf, idat(t, other)) {
		t.Error("the PDF embeds the QR code of another URL: the check proves nothing")
	}
	if !bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Error("no image in the PDF")
	}
}
