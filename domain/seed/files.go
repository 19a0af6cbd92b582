package seed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/emcc/accredit/domain/accreditation"
)

// fileOf is the file of an evidence item when Config.Files is set: a
// one-page PDF saying what the item is and that it was made up, so that
// every evidence link of a seeded case opens (in the assessor's viewer
// too) rather than answering that the file is not stored.
func (g *job) fileOf(title string, kind accreditation.EvidenceKind, cats []int) []byte {
	lines := []string{title, "", "Kind: " + strings.ReplaceAll(string(kind), "_", " "), "Shows the competence categories:"}
	for _, n := range cats {
		if n >= 1 && n <= len(g.cfg.Catalogue.Categories) {
			lines = append(lines, fmt.Sprintf("  %d. %s", n, g.cfg.Catalogue.Categories[n-1].Name.In("en")))
		}
	}
	lines = append(lines, "", "Made up by accredit seed for a demonstration: not a real document.")
	return OnePagePDF(lines...)
}

// storeFile seals plain with the applicant's key and stores it as object,
// as the service stores an upload; it returns the size and SHA-256 of
// plain, which the evidence item records.
func (g *job) storeFile(ctx context.Context, p *plan, object string, plain []byte) (int64, string, error) {
	var sealed bytes.Buffer
	w, err := g.cfg.Vault.SealFile(ctx, g.users[p.applicant].ID, &sealed)
	if err != nil {
		return 0, "", err
	}
	if _, err := w.Write(plain); err != nil {
		return 0, "", err
	}
	if err := w.Close(); err != nil {
		return 0, "", err
	}
	if err := g.cfg.Files.Put(ctx, object, &sealed); err != nil {
		return 0, "", fmt.Errorf("store the file of %s: %w", object, err)
	}
	sum := sha256.Sum256(plain)
	return int64(len(plain)), hex.EncodeToString(sum[:]), nil
}

// OnePagePDF is a valid PDF 1.4 of one A4 page showing lines in Helvetica
// (Latin-1 text; other characters show as '?'): a seeded evidence file, and
// the tests' PDFs.
func OnePagePDF(lines ...string) []byte {
	var content bytes.Buffer
	content.WriteString("BT /F1 12 Tf 56 780 Td 18 TL\n")
	esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
	for _, l := range lines {
		content.WriteByte('(')
		for _, r := range esc.Replace(l) {
			if r > 0xff || r < 0x20 {
				r = '?'
			}
			content.WriteByte(byte(r))
		}
		content.WriteString(") Tj T*\n")
	}
	content.WriteString("ET")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.Bytes()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
