package accreditation

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The package imports the standard library and the module's own domain
// packages only: never echo, net/http or nats.go.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			own := strings.HasPrefix(path, "github.com/emcc/accredit/domain")
			std := !strings.Contains(strings.SplitN(path, "/", 2)[0], ".")
			if (!own && !std) || path == "net/http" || strings.HasPrefix(path, "net/http/") {
				t.Errorf("%s imports %q: want only the standard library (not net/http) and the module's domain packages", name, path)
			}
		}
	}
}
