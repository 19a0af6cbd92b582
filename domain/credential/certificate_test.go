package credential_test

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/credential"
)

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
	for _, want := range []string{"Certificate of Accreditation", "EMCC Individual Accreditation \\(EIA\\)", "at the level Senior Practitioner",
		"valid until 1 June 2031", "Accreditation ACC-QR1", url, "Zo\xeb \xc5ngstr\xf6m" /* cp1252 */} {
		if !bytes.Contains(pdf, []byte(want)) {
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
