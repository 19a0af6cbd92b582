package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// A walk of the source for every refusal text a page may be given: the
// messages and field reasons of the domain errors that domain/... and
// api/web build. It reads the syntax, not the types: what it cannot read
// as text it reports as such, so that nothing is missed in silence.

// refusalText is one text a domain error carries.
type refusalText struct {
	at string // file:line, from the module's root
	// in is file:function (Type.Method for a method), from the module's
	// root: the place the lists below name, which edits elsewhere in the
	// file do not move as they move a line.
	in     string
	kind   string // "message", "fieldmessage" (of an error that names its fields) or "reason"
	code   string // the Code (Invalid, NotFound, ...), "" when the code is chosen elsewhere
	text   string // the literal text, or the fmt format it is made with
	cause  string // the sentinel the error wraps (ErrBlocked, ...), if one is named
	source string // the expression, when it is not a text (text is then "")
}

// ctorKey names a function or method of a package that makes a domain
// error or a field error from its parameters: pkg.Func, or pkg.(T).Method
// written pkg.*.Method since the walk does not know receivers' types.
type ctorKey struct{ pkg, name string }

// ctor says which of a constructor's arguments carry the text, the code
// and the cause; -1 when none does (code and cause then are fixed).
type ctor struct {
	kind        string
	textArg     int
	codeArg     int
	code, cause string
	method      bool
	prefix      string // put before the text
}

type walkFile struct {
	path string // from the module's root
	pkg  string // the package's name
	f    *ast.File
	fset *token.FileSet
}

// walkRefusals reads every non-test file of domain/... and api/web under
// root and returns the texts, sorted by place.
func walkRefusals(t *testing.T, root string) []refusalText {
	t.Helper()
	fset := token.NewFileSet()
	var files []walkFile
	consts := map[string]string{} // pkg.Name -> a string constant's or variable's text
	for _, dir := range []string{"domain", "api/web"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" || dir == "api/web" && p != filepath.Join(root, dir) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			files = append(files, walkFile{path: filepath.ToSlash(rel), pkg: f.Name.Name, f: f, fset: fset})
			for _, decl := range f.Decls {
				g, ok := decl.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST && g.Tok != token.VAR {
					continue
				}
				for _, spec := range g.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							v := vs.Values[i]
							if call, ok := v.(*ast.CallExpr); ok && exprName(call.Fun) == "errors.New" && len(call.Args) == 1 {
								v = call.Args[0] // var ErrX = errors.New("...")
							}
							if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
								consts[f.Name.Name+"."+n.Name], _ = strconv.Unquote(lit.Value)
							}
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	ctors := map[ctorKey]ctor{
		// forbidden(action, why) says "cannot <action>: <why>"; the walk
		// finds the whys at its calls.
		{"accreditation", "forbidden"}: {kind: "message", textArg: 1, codeArg: -1, code: "Forbidden", prefix: "cannot %s: "},
		{"domain", "Errorf"}:           {kind: "message", textArg: 1, codeArg: 0},
		{"domain", "Wrap"}:             {kind: "message", textArg: 2, codeArg: 0},
		{"domain", "InvalidFields"}:    {kind: "fieldmessage", textArg: 0, codeArg: -1, code: "Invalid"},
	}
	// Helpers are found until none is new: a function that hands one of its
	// parameters on as the text of a constructor is a constructor too.
	var texts []refusalText
	for found := true; found; {
		texts, found = nil, false
		for _, wf := range files {
			if wf.path == "domain/errors.go" {
				continue // the constructors themselves
			}
			litName := map[*ast.FuncLit]string{} // bad := func(field, format string, args ...any) {...}
			ast.Inspect(wf.f, func(n ast.Node) bool {
				if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
					for i, r := range as.Rhs {
						if fl, ok := r.(*ast.FuncLit); ok {
							litName[fl] = exprName(as.Lhs[i])
						}
					}
				}
				return true
			})
			var stack []ast.Node
			ast.Inspect(wf.f, func(n ast.Node) bool {
				if n == nil {
					stack = stack[:len(stack)-1]
					return true
				}
				stack = append(stack, n)
				for _, rt := range constructed(ctors, wf.pkg, n) {
					if key, c, ok := helperOf(stack, wf.pkg, litName, rt); ok {
						if _, known := ctors[key]; !known {
							ctors[key], found = c, true
						}
						continue
					}
					rt.at = wf.path + ":" + strconv.Itoa(wf.fset.Position(n.Pos()).Line)
					rt.in = wf.path + ":" + enclosingFunc(stack)
					rt.text, rt.source = textOf(consts, wf.pkg, rt.expr)
					if rt.text != "" {
						rt.text = rt.prefix + rt.text
					}
					if rt.codeExpr != nil {
						rt.code = strings.TrimPrefix(exprName(rt.codeExpr), "domain.")
					}
					texts = append(texts, rt.refusalText)
				}
				return true
			})
		}
	}
	// The reasons some checks return, which their callers put in a field.
	for _, wf := range files {
		for _, decl := range wf.f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || !reasonSources[wf.pkg+"."+fd.Name.Name] {
				continue
			}
			ast.Inspect(fd, func(n ast.Node) bool {
				ret, ok := n.(*ast.ReturnStmt)
				if !ok || len(ret.Results) != 1 || exprName(ret.Results[0]) == "nil" {
					return true
				}
				if lit, ok := ret.Results[0].(*ast.BasicLit); ok && lit.Value == `""` {
					return true
				}
				text, source := textOf(consts, wf.pkg, ret.Results[0])
				texts = append(texts, refusalText{at: wf.path + ":" + strconv.Itoa(wf.fset.Position(n.Pos()).Line),
					in: wf.path + ":" + funcName(fd), kind: "reason", text: text, source: source})
				return true
			})
		}
	}
	sort.Slice(texts, func(i, j int) bool { return texts[i].at < texts[j].at })
	return texts
}

// made is a text a node makes, before it is read.
type made struct {
	refusalText
	expr, codeExpr ast.Expr
	prefix         string
}

// constructed is what n makes: a call of a constructor, a domain.Error,
// domain.FieldError or evidence.Refusal literal (a FieldError also in a
// []domain.FieldError), or a field error's Reason assigned.
func constructed(ctors map[ctorKey]ctor, pkg string, n ast.Node) []made {
	switch n := n.(type) {
	case *ast.CallExpr:
		c, ok := lookupCtor(ctors, pkg, n.Fun)
		if !ok || c.textArg >= len(n.Args) {
			return nil
		}
		m := made{refusalText: refusalText{kind: c.kind, code: c.code, cause: c.cause}, expr: n.Args[c.textArg], prefix: c.prefix}
		if c.codeArg >= 0 && c.codeArg < len(n.Args) {
			m.codeExpr = n.Args[c.codeArg]
		}
		if c.kind == "message" && c.textArg == 2 && c.cause == "" { // domain.Wrap(code, cause, ...)
			if id := exprName(n.Args[1]); id != "err" && (strings.HasPrefix(id, "Err") || strings.Contains(id, ".Err") || strings.HasPrefix(id, "err")) {
				m.cause = id
			}
		}
		return []made{m}
	case *ast.AssignStmt:
		var out []made
		for i, l := range n.Lhs {
			// de.Fields[0].Reason = ...
			if sel, ok := l.(*ast.SelectorExpr); ok && i < len(n.Rhs) && sel.Sel.Name == "Reason" {
				if ix, ok := sel.X.(*ast.IndexExpr); ok && strings.HasSuffix(exprName(ix.X), "Fields") {
					out = append(out, made{refusalText: refusalText{kind: "reason"}, expr: n.Rhs[i]})
				}
			}
		}
		return out
	case *ast.CompositeLit:
		var out []made
		switch typeName(pkg, n.Type) {
		case "domain.FieldError":
			out = append(out, fieldErrorLit(n)...)
		case "[]domain.FieldError":
			for _, el := range n.Elts {
				if cl, ok := el.(*ast.CompositeLit); ok && cl.Type == nil {
					out = append(out, fieldErrorLit(cl)...)
				}
			}
		case "evidence.Refusal": // an upload's refusal: the message of an Unprocessable naming the file (cases/evidence.go)
			for _, el := range n.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok && exprName(kv.Key) == "Reason" {
					out = append(out, made{refusalText: refusalText{kind: "fieldmessage", code: "Unprocessable"}, expr: kv.Value})
				}
			}
		case "domain.Error":
			m := made{refusalText: refusalText{kind: "message"}}
			for _, el := range n.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				switch exprName(kv.Key) {
				case "Message":
					m.expr = kv.Value
				case "Code":
					m.codeExpr = kv.Value
				case "Fields":
					m.kind = "fieldmessage"
				}
			}
			if m.expr != nil {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func fieldErrorLit(n *ast.CompositeLit) []made {
	for i, el := range n.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok && exprName(kv.Key) == "Reason" {
			return []made{{refusalText: refusalText{kind: "reason"}, expr: kv.Value}}
		} else if !ok && i == 1 {
			return []made{{refusalText: refusalText{kind: "reason"}, expr: el}}
		}
	}
	return nil
}

// helperOf reports whether m's text (a parameter, or a fmt.Sprintf of
// one) is handed in to the function it is made in, the innermost of stack,
// and then the constructor that function is.
func helperOf(stack []ast.Node, pkg string, litName map[*ast.FuncLit]string, m made) (ctorKey, ctor, bool) {
	var ft *ast.FuncType
	var key ctorKey
	method := false
	for i := len(stack) - 1; i >= 0 && ft == nil; i-- {
		switch f := stack[i].(type) {
		case *ast.FuncDecl:
			ft, key = f.Type, ctorKey{pkg, f.Name.Name}
			if f.Recv != nil {
				key.name, method = "*."+f.Name.Name, true
			}
		case *ast.FuncLit:
			ft, key = f.Type, ctorKey{pkg, litName[f]}
		}
	}
	if ft == nil || key.name == "" {
		return key, ctor{}, false
	}
	var params []string
	for _, fl := range ft.Params.List {
		if len(fl.Names) == 0 {
			params = append(params, "_")
		}
		for _, n := range fl.Names {
			params = append(params, n.Name)
		}
	}
	index := func(e ast.Expr) int {
		if id, ok := e.(*ast.Ident); ok {
			for i, p := range params {
				if p == id.Name {
					return i
				}
			}
		}
		return -1
	}
	text := m.expr
	if call, ok := text.(*ast.CallExpr); ok && exprName(call.Fun) == "fmt.Sprintf" && len(call.Args) > 0 {
		text = call.Args[0]
	}
	i := index(text)
	if i < 0 {
		return key, ctor{}, false
	}
	c := ctor{kind: m.kind, textArg: i, codeArg: -1, code: m.code, cause: m.cause, method: method, prefix: m.prefix}
	if m.codeExpr != nil {
		if j := index(m.codeExpr); j >= 0 {
			c.codeArg = j
		} else {
			c.code = strings.TrimPrefix(exprName(m.codeExpr), "domain.")
		}
	}
	return key, c, true
}

// reasonSources are the checks whose returns are a field's reason: the
// walk cannot follow their texts from the call (why, err.Error()), so it
// reads them where they are returned.
var reasonSources = map[string]bool{"accounts.CheckNewPassword": true, "accounts.CheckEmail": true}

// lookupCtor finds the constructor fun names, from a file of package pkg.
func lookupCtor(ctors map[ctorKey]ctor, pkg string, fun ast.Expr) (ctor, bool) {
	switch f := fun.(type) {
	case *ast.Ident:
		c, ok := ctors[ctorKey{pkg, f.Name}]
		return c, ok && !c.method
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			if c, ok := ctors[ctorKey{x.Name, f.Sel.Name}]; ok && !c.method {
				return c, true
			}
		}
		c, ok := ctors[ctorKey{pkg, "*." + f.Sel.Name}]
		return c, ok
	}
	return ctor{}, false
}

// typeName is a composite literal's type as pkg.Name.
func typeName(pkg string, e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return pkg + "." + t.Name
	case *ast.SelectorExpr:
		return exprName(t)
	case *ast.StarExpr:
		return typeName(pkg, t.X)
	case *ast.ArrayType:
		if t.Len == nil {
			return "[]" + typeName(pkg, t.Elt)
		}
	}
	return ""
}

// exprName is an identifier or a selector as written (a.B), else "".
func exprName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.SelectorExpr:
		if x := exprName(t.X); x != "" {
			return x + "." + t.Sel.Name
		}
	}
	return ""
}

// textOf is the text e makes, as a fmt format: a literal, a constant, a
// fmt.Sprintf's format, a sum of these; what is none of these is %v in a
// sum and otherwise returned as source.
func textOf(consts map[string]string, pkg string, e ast.Expr) (text, source string) {
	s, ok := textPart(consts, pkg, e)
	if !ok {
		return "", exprSource(e)
	}
	return s, ""
}

func textPart(consts map[string]string, pkg string, e ast.Expr) (string, bool) {
	switch t := e.(type) {
	case *ast.BasicLit:
		if t.Kind == token.STRING {
			s, err := strconv.Unquote(t.Value)
			return s, err == nil
		}
	case *ast.ParenExpr:
		return textPart(consts, pkg, t.X)
	case *ast.Ident:
		s, ok := consts[pkg+"."+t.Name]
		return s, ok
	case *ast.SelectorExpr:
		s, ok := consts[exprName(t)]
		return s, ok
	case *ast.CallExpr:
		if sel, ok := t.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" && len(t.Args) == 0 { // ErrX.Error()
			return textPart(consts, pkg, sel.X)
		}
		if n := exprName(t.Fun); (n == "fmt.Sprintf" || n == "fmt.Errorf" || n == "errors.New") && len(t.Args) > 0 {
			return textPart(consts, pkg, t.Args[0])
		}
	case *ast.BinaryExpr:
		if t.Op == token.ADD {
			l, lok := textPart(consts, pkg, t.X)
			r, rok := textPart(consts, pkg, t.Y)
			if !lok && !rok {
				return "", false
			}
			if !lok {
				l = "%v"
			}
			if !rok {
				r = "%v"
			}
			return l + r, true
		}
	}
	return "", false
}

func exprSource(e ast.Expr) string {
	var b strings.Builder
	ast.Inspect(e, func(n ast.Node) bool {
		switch t := n.(type) {
		case *ast.Ident:
			b.WriteString(t.Name + " ")
		case *ast.BasicLit:
			b.WriteString(t.Value + " ")
		}
		return true
	})
	return strings.TrimSpace(b.String())
}

// fmtVerb is a verb of a fmt format.
var fmtVerb = regexp.MustCompile(`%[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)

// sampleOf fills a format's verbs with values like the ones they take.
func sampleOf(format string) string {
	return fmtVerb.ReplaceAllStringFunc(format, func(v string) string {
		switch v[len(v)-1] {
		case '%':
			return "%"
		case 'd':
			return "3"
		case 'q':
			return `"x1"`
		}
		return "x1"
	})
}

// enclosingFunc names the function declaration stack is in ("" outside one).
func enclosingFunc(stack []ast.Node) string {
	for i := len(stack) - 1; i >= 0; i-- {
		if fd, ok := stack[i].(*ast.FuncDecl); ok {
			return funcName(fd)
		}
	}
	return ""
}

// funcName is fd's name, Type.Method for a method.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if ix, ok := t.(*ast.IndexListExpr); ok {
		t = ix.X
	}
	return exprName(t) + "." + fd.Name.Name
}
