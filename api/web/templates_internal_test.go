package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"slices"
	"testing"
	"text/template/parse"

	"github.com/emcc/accredit/domain/accreditation"
)

// TestTemplatesNameKnownActions: a template cannot be type-checked, so an
// action misspelt in `.Can "asess"` would hide a form for ever without an
// error. Every action a template asks about must be one the domain offers.
func TestTemplatesNameKnownActions(t *testing.T) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("templates: %v, %d files", err, len(names))
	}
	var used []string
	for _, n := range names {
		b, err := fs.ReadFile(templateFS, n)
		if err != nil {
			t.Fatal(err)
		}
		acts, err := actionsAskedIn(string(b))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for _, a := range acts {
			if !accreditation.Action(a).Valid() {
				t.Errorf("%s: .Can %q: not an action of the domain", n, a)
			}
			used = append(used, a)
		}
	}
	// The templates do ask: a walk that found nothing would pass vacuously.
	for _, want := range []accreditation.Action{accreditation.ActionAssess, accreditation.ActionDecide, accreditation.ActionRenew} {
		if !slices.Contains(used, string(want)) {
			t.Errorf("no template asks .Can %q; found %v", want, used)
		}
	}

	t.Run("a misspelt action is caught", func(t *testing.T) {
		acts, err := actionsAskedIn(`{{define "x"}}{{if $.C.Can "asess"}}form{{end}}{{end}}`)
		if err != nil || !slices.Equal(acts, []string{"asess"}) {
			t.Fatalf("got %v, %v; want [asess]", acts, err)
		}
		if accreditation.Action("asess").Valid() {
			t.Fatal(`"asess" counts as an action`)
		}
	})
}

// actionsAskedIn parses a template file and returns the argument of every
// call of a Can method in it; an argument that is not a string literal is
// an error, since it cannot be checked.
func actionsAskedIn(text string) ([]string, error) {
	tmpl, err := template.New("file").Funcs(funcs("en", nil)).Parse(text)
	if err != nil {
		return nil, err
	}
	var out []string
	var walk func(n parse.Node) error
	walk = func(n parse.Node) error {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return nil
			}
			for _, c := range n.Nodes {
				if err := walk(c); err != nil {
					return err
				}
			}
		case *parse.ActionNode:
			return walk(n.Pipe)
		case *parse.IfNode:
			return walkBranch(walk, &n.BranchNode)
		case *parse.RangeNode:
			return walkBranch(walk, &n.BranchNode)
		case *parse.WithNode:
			return walkBranch(walk, &n.BranchNode)
		case *parse.TemplateNode:
			if n.Pipe != nil {
				return walk(n.Pipe)
			}
		case *parse.PipeNode:
			if n == nil {
				return nil
			}
			for _, c := range n.Cmds {
				if err := walk(c); err != nil {
					return err
				}
			}
		case *parse.CommandNode:
			for i, a := range n.Args {
				if callsCan(a) {
					if i+1 >= len(n.Args) {
						return fmt.Errorf("%s: Can without an action", n)
					}
					s, ok := n.Args[i+1].(*parse.StringNode)
					if !ok {
						return fmt.Errorf("%s: Can with %s, not a string literal", n, n.Args[i+1])
					}
					out = append(out, s.Text)
				}
				if err := walk(a); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, t := range tmpl.Templates() {
		if t.Tree == nil {
			continue
		}
		if err := walk(t.Tree.Root); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func walkBranch(walk func(parse.Node) error, b *parse.BranchNode) error {
	for _, n := range []parse.Node{b.Pipe, b.List, b.ElseList} {
		if err := walk(n); err != nil {
			return err
		}
	}
	return nil
}

// callsCan reports whether n is a method chain ending in Can ($c.Can, .C.Can).
func callsCan(n parse.Node) bool {
	var idents []string
	switch n := n.(type) {
	case *parse.FieldNode:
		idents = n.Ident
	case *parse.VariableNode:
		idents = n.Ident
	case *parse.ChainNode:
		idents = n.Field
	}
	return len(idents) > 0 && idents[len(idents)-1] == "Can"
}
