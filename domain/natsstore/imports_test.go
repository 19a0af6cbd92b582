package natsstore_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Only domain/natsstore (and its natstest) imports nats.go, nats-server or
// any other github.com/nats-io module: cmd/ wires JetStream through this
// package's Conn, Backup and Restore. Tests elsewhere may use them to build
// their fixtures.
func TestOnlyNatsstoreImportsNATS(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	allowed := filepath.Join(root, "domain", "natsstore") + string(filepath.Separator)
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasPrefix(path, allowed) {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/nats-io/") {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s imports %q: only domain/natsstore may; use natsstore's Conn (Dial, OpenEmbedded), Backup and Restore", rel, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no Go files checked outside domain/natsstore: the walk is broken")
	}
}
