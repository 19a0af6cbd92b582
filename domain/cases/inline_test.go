package cases

import "testing"

// TestOnlyNamedTypesAreShownInline: a file is shown inline (not sandboxed
// as an attachment) only when its type is one a browser shows without
// running anything of the file's; an image type is not enough.
func TestOnlyNamedTypesAreShownInline(t *testing.T) {
	for typ, want := range map[string]bool{
		"application/pdf":           true,
		"image/png":                 true,
		"image/jpeg":                true,
		"IMAGE/PNG":                 true,
		"application/pdf; q=1":      true,
		"image/svg+xml":             false,
		"image/webp":                false,
		"application/pdfx":          false,
		"text/html":                 false,
		"text/plain; charset=utf-8": false,
		"":                          false,
	} {
		if got := InlineType(typ); got != want {
			t.Errorf("InlineType(%q): got %v, want %v", typ, got, want)
		}
	}
}
