package credential

import (
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// certificateFont is the Go font, embedded in the PDF (only the glyphs
// used): it has the letters of every European alphabet (WGL4: Latin with
// its extensions, Greek, Cyrillic), where the PDF core fonts have cp1252's
// only and printed "Łukasz Wiśniewski" as ".ukasz Wi.niewski".
const certificateFont = "Go"

// QRCode is the PNG of the QR code a certificate prints for url: medium
// error correction (15%, enough for a creased or smudged print), 256 px.
func QRCode(url string) ([]byte, error) {
	return qrcode.Encode(url, qrcode.Medium, 256)
}

// Certificate is the printable certificate of award a (A4 landscape, PDF):
// the holder, the scheme and level, the validity, and a QR code of
// verifyURL, the public verification page, printed in words beside it.
// The page content is not compressed: the certificate is one page of
// text, and its words stay searchable and checkable.
func Certificate(a Award, verifyURL string) ([]byte, error) {
	png, err := QRCode(verifyURL)
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCompression(false)
	pdf.SetTitle("EMCC certificate "+a.AccreditationID, true)
	pdf.SetAuthor(OfficeName, true)
	pdf.AddUTF8FontFromBytes(certificateFont, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(certificateFont, "B", gobold.TTF)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("certificate font: %w", err)
	}
	pdf.AddPage()
	w, h := pdf.GetPageSize()
	pdf.SetLineWidth(1.2)
	pdf.SetDrawColor(30, 60, 110)
	pdf.Rect(10, 10, w-20, h-20, "D")

	line := func(size float64, style, text string, gap float64) {
		pdf.SetFont(certificateFont, style, size)
		pdf.CellFormat(0, size*0.5, text, "", 1, "C", false, 0, "")
		pdf.Ln(gap)
	}
	pdf.SetY(28)
	pdf.SetTextColor(30, 60, 110)
	line(14, "", OfficeName, 6)
	line(28, "B", "Certificate of Accreditation", 10)
	pdf.SetTextColor(0, 0, 0)
	line(12, "", "This certifies that", 4)
	line(24, "B", a.HolderName, 6)
	if a.Programme != "" {
		line(12, "", "holds for the programme", 3)
		line(16, "B", a.Programme, 5)
	} else {
		line(12, "", "is accredited under the", 3)
	}
	line(18, "B", a.SchemeName, 3)
	line(16, "", "at the level "+a.LevelName, 8)
	line(11, "", fmt.Sprintf("Awarded %s, valid until %s", a.AwardedAt.UTC().Format("2 January 2006"), a.ValidUntil.UTC().Format("2 January 2006")), 2)
	line(11, "", "Accreditation "+a.AccreditationID, 0)

	opt := fpdf.ImageOptions{ImageType: "PNG"}
	pdf.RegisterImageOptionsReader("qr", opt, bytes.NewReader(png))
	size := 42.0
	pdf.ImageOptions("qr", w-20-size-6, h-20-size-14, size, size, false, opt, 0, "")
	pdf.SetFont(certificateFont, "", 8)
	pdf.SetXY(20, h-30)
	pdf.CellFormat(w-40-size-10, 4, "Verify this certificate: scan the code, or open", "", 2, "L", false, 0, "")
	pdf.CellFormat(w-40-size-10, 4, verifyURL, "", 2, "L", false, 0, verifyURL)
	pdf.CellFormat(w-40-size-10, 4, "The holder's verifiable credential (Open Badges 3.0) is verified there too.", "", 0, "L", false, 0, "")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("certificate PDF: %w", err)
	}
	return b.Bytes(), nil
}
