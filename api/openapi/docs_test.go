package openapi_test

import (
	"bytes"
	"flag"
	"fmt"
	"html/template"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/emcc/accredit/api/openapi"
	"github.com/emcc/accredit/api/openapi/openapitest"
)

var update = flag.Bool("update", false, "rewrite docs.html from openapi.json")

func TestSpecIsAValidOpenAPI31Document(t *testing.T) {
	c, err := openapitest.Load(openapi.Spec())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi: got %s, want 3.1.x", c.Doc.OpenAPI)
	}
	ids := map[string]string{}
	for _, op := range c.Operations() {
		o := c.Operation(op)
		if o.OperationID == "" || o.Summary == "" {
			t.Errorf("%s: needs an operationId and a summary", op)
		}
		if prev, dup := ids[o.OperationID]; dup {
			t.Errorf("%s and %s share the operationId %s", prev, op, o.OperationID)
		}
		ids[o.OperationID] = op
		if o.Security == nil || len(*o.Security) > 0 {
			if o.Responses.Value("401") == nil {
				t.Errorf("%s needs a login but documents no 401", op)
			}
		}
	}
}

// TestDocsHTMLIsUpToDate keeps the reference page (docs.html) true to the
// document: regenerate it with
//
//	go test ./api/openapi -run TestDocsHTMLIsUpToDate -update
func TestDocsHTMLIsUpToDate(t *testing.T) {
	c, err := openapitest.Load(openapi.Spec())
	if err != nil {
		t.Fatal(err)
	}
	got, err := render(c)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("docs.html", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, openapi.DocsHTML()) {
		t.Fatal("docs.html is out of date with openapi.json: run go test ./api/openapi -run TestDocsHTMLIsUpToDate -update")
	}
}

// TestDocsHTMLNeedsNothingTheCSPForbids: the server's Content-Security-Policy
// is default-src 'self', so the page has no script, no inline style and
// nothing from elsewhere.
func TestDocsHTMLNeedsNothingTheCSPForbids(t *testing.T) {
	page := string(openapi.DocsHTML())
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script`), regexp.MustCompile(`(?i)<style`), regexp.MustCompile(`(?i)\sstyle=`),
		regexp.MustCompile(`(?i)\son[a-z]+=`), regexp.MustCompile(`(?i)(src|href)="(https?:)?//`), regexp.MustCompile(`(?i)<link`),
	} {
		if m := bad.FindString(page); m != "" {
			t.Errorf("docs.html has %q, which the CSP forbids", m)
		}
	}
	c, _ := openapitest.Load(openapi.Spec())
	for _, op := range c.Operations() {
		if !strings.Contains(page, `id="`+anchor(op)+`"`) {
			t.Errorf("docs.html lacks %s", op)
		}
	}
}

// --- rendering --------------------------------------------------------------

var methodOrder = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

type opView struct {
	Method, Path, Anchor, Summary string
	Description                   template.HTML
	Public                        bool
	Params                        []paramView
	Body                          []contentView
	BodyRequired                  bool
	Responses                     []responseView
}

type paramView struct {
	Name, In, Description string
	Required              bool
	Type                  template.HTML
}

type contentView struct {
	Type   string
	Schema template.HTML
}

type responseView struct {
	Status, Ref string
	Description string
	Headers     []paramView
	Content     []contentView
}

type tagView struct {
	Name, Description string
	Ops               []opView
}

type schemaView struct {
	Name, Description string
	Body              template.HTML
}

func anchor(op string) string {
	return "op-" + strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(op), "-"), "-")
}

// text turns the document's light Markdown (paragraphs, `code`) into HTML.
func text(s string) template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if para == "" {
			continue
		}
		esc := template.HTMLEscapeString(para)
		esc = regexp.MustCompile("`([^`]+)`").ReplaceAllString(esc, "<code>$1</code>")
		b.WriteString("<p>" + esc + "</p>")
	}
	return template.HTML(b.String())
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

// typeOf is a one-line description of a schema, linking to components.
func typeOf(s *openapi3.SchemaRef) string {
	if s == nil || s.Value == nil {
		return "any"
	}
	if s.Ref != "" {
		n := refName(s.Ref)
		return fmt.Sprintf(`<a href="#schema-%s">%s</a>`, n, n)
	}
	v := s.Value
	var alts []string
	for _, set := range [][]*openapi3.SchemaRef{v.AnyOf, v.OneOf} {
		for _, a := range set {
			alts = append(alts, typeOf(a))
		}
	}
	if len(alts) > 0 {
		return strings.Join(alts, " or ")
	}
	var types []string
	if v.Type != nil {
		types = v.Type.Slice()
	}
	var out []string
	for _, ty := range types {
		switch ty {
		case "array":
			out = append(out, "array of "+typeOf(v.Items))
		case "object":
			if v.AdditionalProperties.Schema != nil {
				out = append(out, "map of "+typeOf(v.AdditionalProperties.Schema))
			} else {
				out = append(out, "object")
			}
		default:
			out = append(out, ty)
		}
	}
	t := strings.Join(out, " or ")
	if t == "" {
		t = "any"
		if v.Const != nil {
			t = fmt.Sprintf("%v", v.Const)
		}
	}
	var notes []string
	if v.Format != "" {
		notes = append(notes, v.Format)
	}
	if len(v.Enum) > 0 {
		var e []string
		for _, x := range v.Enum {
			e = append(e, fmt.Sprintf("%v", x))
		}
		notes = append(notes, "one of "+strings.Join(e, ", "))
	}
	if v.Pattern != "" {
		notes = append(notes, "matching "+v.Pattern)
	}
	if v.Min != nil {
		notes = append(notes, fmt.Sprintf("≥ %v", *v.Min))
	}
	if v.Max != nil {
		notes = append(notes, fmt.Sprintf("≤ %v", *v.Max))
	}
	if v.MaxLength != nil {
		notes = append(notes, fmt.Sprintf("at most %d characters", *v.MaxLength))
	}
	if v.ContentMediaType != "" {
		notes = append(notes, "binary ("+v.ContentMediaType+")")
	}
	if len(notes) > 0 {
		t += " (" + template.HTMLEscapeString(strings.Join(notes, "; ")) + ")"
	}
	return t
}

// schemaHTML renders a schema: a table of its properties when it is an
// object with properties, its type otherwise; inline objects nest.
func schemaHTML(s *openapi3.SchemaRef, depth int) string {
	if s == nil || s.Value == nil {
		return "any"
	}
	if s.Ref != "" || depth > 4 {
		return typeOf(s)
	}
	v := s.Value
	if v.Type != nil && v.Type.Is("array") && v.Items != nil && v.Items.Ref == "" && len(v.Items.Value.Properties) > 0 {
		return "array of " + schemaHTML(v.Items, depth+1)
	}
	if len(v.Properties) == 0 {
		return typeOf(s)
	}
	var b strings.Builder
	b.WriteString("<table><thead><tr><th>field</th><th>type</th><th>description</th></tr></thead><tbody>")
	names := make([]string, 0, len(v.Properties))
	for n := range v.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := v.Properties[n]
		req := ""
		if slices.Contains(v.Required, n) {
			req = " <em>required</em>"
		}
		desc := ""
		if p.Value != nil {
			desc = template.HTMLEscapeString(p.Value.Description)
		}
		fmt.Fprintf(&b, "<tr><td><code>%s</code>%s</td><td>%s</td><td>%s</td></tr>", template.HTMLEscapeString(n), req, schemaHTML(p, depth+1), desc)
	}
	b.WriteString("</tbody></table>")
	switch {
	case v.AdditionalProperties.Has != nil && !*v.AdditionalProperties.Has:
		b.WriteString("<p>No other fields.</p>")
	case v.AdditionalProperties.Has != nil && *v.AdditionalProperties.Has:
		b.WriteString("<p>Other fields may follow.</p>")
	}
	return b.String()
}

func contents(c openapi3.Content) []contentView {
	var out []contentView
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, contentView{Type: k, Schema: template.HTML(schemaHTML(c[k].Schema, 0))})
	}
	return out
}

func response(code string, r *openapi3.Response) responseView {
	rv := responseView{Status: code, Content: contents(r.Content)}
	if r.Description != nil {
		rv.Description = *r.Description
	}
	hs := make([]string, 0, len(r.Headers))
	for h := range r.Headers {
		hs = append(hs, h)
	}
	sort.Strings(hs)
	for _, h := range hs {
		hv := r.Headers[h].Value
		rv.Headers = append(rv.Headers, paramView{Name: h, Description: hv.Description, Required: hv.Required, Type: paramType(hv.Schema)})
	}
	return rv
}

func paramType(s *openapi3.SchemaRef) template.HTML { return template.HTML(typeOf(s)) }

func render(c *openapitest.Contract) ([]byte, error) {
	doc := c.Doc
	tags := []*tagView{}
	byTag := map[string]*tagView{}
	for _, t := range doc.Tags {
		tv := &tagView{Name: t.Name, Description: t.Description}
		tags = append(tags, tv)
		byTag[t.Name] = tv
	}
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for _, method := range methodOrder {
			o := item.GetOperation(method)
			if o == nil {
				continue
			}
			op := opView{Method: method, Path: path, Anchor: anchor(method + " " + path), Summary: o.Summary,
				Description: text(o.Description), Public: o.Security != nil && len(*o.Security) == 0}
			for _, p := range append(slices.Clone(item.Parameters), o.Parameters...) {
				pv := p.Value
				op.Params = append(op.Params, paramView{Name: pv.Name, In: pv.In, Description: pv.Description, Required: pv.Required, Type: paramType(pv.Schema)})
			}
			if o.RequestBody != nil && o.RequestBody.Value != nil {
				op.Body = contents(o.RequestBody.Value.Content)
				op.BodyRequired = o.RequestBody.Value.Required
			}
			codes := make([]string, 0, o.Responses.Len())
			for code := range o.Responses.Map() {
				codes = append(codes, code)
			}
			sort.Strings(codes)
			for _, code := range codes {
				ref := o.Responses.Value(code)
				if ref.Ref != "" {
					op.Responses = append(op.Responses, responseView{Status: code, Ref: refName(ref.Ref)})
					continue
				}
				rv := response(code, ref.Value)
				op.Responses = append(op.Responses, rv)
			}
			tag := "other"
			if len(o.Tags) > 0 {
				tag = o.Tags[0]
			}
			tv := byTag[tag]
			if tv == nil {
				tv = &tagView{Name: tag}
				tags = append(tags, tv)
				byTag[tag] = tv
			}
			tv.Ops = append(tv.Ops, op)
		}
	}
	var schemas []schemaView
	names := make([]string, 0, len(doc.Components.Schemas))
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := doc.Components.Schemas[n]
		body := schemaHTML(&openapi3.SchemaRef{Value: s.Value}, 0)
		schemas = append(schemas, schemaView{Name: n, Description: s.Value.Description, Body: template.HTML(body)})
	}
	var shared []responseView
	rnames := make([]string, 0, len(doc.Components.Responses))
	for n := range doc.Components.Responses {
		rnames = append(rnames, n)
	}
	sort.Strings(rnames)
	for _, n := range rnames {
		shared = append(shared, response(n, doc.Components.Responses[n].Value))
	}
	var b bytes.Buffer
	err := page.Execute(&b, map[string]any{
		"Title": doc.Info.Title, "Version": doc.Info.Version, "Summary": doc.Info.Summary,
		"Intro": text(doc.Info.Description), "Tags": tags, "Schemas": schemas, "OpenAPI": doc.OpenAPI, "Responses": shared,
	})
	return b.Bytes(), err
}

var page = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} reference</title>
</head>
<body>
<header>
<h1>{{.Title}} (version {{.Version}})</h1>
<p>{{.Summary}}</p>
{{.Intro}}
<p>Generated from <a href="/api/v1/openapi.json">openapi.json</a> (OpenAPI {{.OpenAPI}}), which the test suite checks every request and answer against.</p>
</header>
<nav>
<h2>Operations</h2>
{{range .Tags}}{{if .Ops}}<h3>{{.Name}}</h3>
<ul>
{{range .Ops}}<li><a href="#{{.Anchor}}"><code>{{.Method}} {{.Path}}</code></a> {{.Summary}}</li>
{{end}}</ul>
{{end}}{{end}}<p><a href="#responses">Error responses</a> · <a href="#schemas">Schemas</a></p>
</nav>
<main>
{{range .Tags}}{{if .Ops}}<section>
<h2>{{.Name}}</h2>
<p>{{.Description}}</p>
{{range .Ops}}<article id="{{.Anchor}}">
<h3><code>{{.Method}} {{.Path}}</code></h3>
<p><strong>{{.Summary}}</strong></p>
{{.Description}}
<p>{{if .Public}}No login needed.{{else}}Needs <code>Authorization: Bearer &lt;token&gt;</code>.{{end}}</p>
{{if .Params}}<h4>Parameters</h4>
<table><thead><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr></thead><tbody>
{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}} <em>required</em>{{end}}</td><td>{{.In}}</td><td>{{.Type}}</td><td>{{.Description}}</td></tr>
{{end}}</tbody></table>
{{end}}{{if .Body}}<h4>Request body{{if .BodyRequired}} (required){{else}} (optional){{end}}</h4>
{{range .Body}}<p><code>{{.Type}}</code></p>
{{.Schema}}
{{end}}{{end}}<h4>Responses</h4>
<dl>
{{range .Responses}}<dt><strong>{{.Status}}</strong></dt>
<dd>{{if .Ref}}<p><a href="#response-{{.Ref}}">{{.Ref}}</a>: a problem document.</p>{{else}}<p>{{.Description}}</p>
{{if .Headers}}<table><thead><tr><th>header</th><th>type</th><th>description</th></tr></thead><tbody>
{{range .Headers}}<tr><td><code>{{.Name}}</code>{{if .Required}} <em>always</em>{{end}}</td><td>{{.Type}}</td><td>{{.Description}}</td></tr>
{{end}}</tbody></table>
{{end}}{{range .Content}}<p><code>{{.Type}}</code></p>
{{.Schema}}
{{end}}{{end}}</dd>
{{end}}</dl>
</article>
{{end}}</section>
{{end}}{{end}}<section id="responses">
<h2>Error responses</h2>
<p>Every error is an <code>application/problem+json</code> document (<a href="#schema-Problem">Problem</a>).</p>
{{range .Responses}}<article id="response-{{.Status}}">
<h3>{{.Status}}</h3>
<p>{{.Description}}</p>
{{if .Headers}}<table><thead><tr><th>header</th><th>type</th><th>description</th></tr></thead><tbody>
{{range .Headers}}<tr><td><code>{{.Name}}</code>{{if .Required}} <em>always</em>{{end}}</td><td>{{.Type}}</td><td>{{.Description}}</td></tr>
{{end}}</tbody></table>
{{end}}</article>
{{end}}</section>
<section id="schemas">
<h2>Schemas</h2>
{{range .Schemas}}<article id="schema-{{.Name}}">
<h3>{{.Name}}</h3>
{{if .Description}}<p>{{.Description}}</p>
{{end}}{{.Body}}
</article>
{{end}}</section>
</main>
</body>
</html>
`))
