// Package views holds the HTML templates. Each page in pages/ is parsed once
// with the layout and every partial, into a set keyed by the page's name.
package views

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
)

//go:embed layout.html partials/*.html pages/*.html
var files embed.FS

// Parse builds one template per page: layout + partials + the page.
func Parse(funcs template.FuncMap) (map[string]*template.Template, error) {
	pages, err := fs.Glob(files, "pages/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(files, "partials/*.html")
	if err != nil {
		return nil, err
	}
	set := make(map[string]*template.Template, len(pages))
	for _, page := range pages {
		name := strings.TrimSuffix(path.Base(page), ".html")
		patterns := append([]string{"layout.html"}, partials...)
		patterns = append(patterns, page)
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, patterns...)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		set[name] = t
	}
	return set, nil
}

// PageNames lists every page, for the test that renders them all.
func PageNames() []string {
	pages, _ := fs.Glob(files, "pages/*.html")
	names := make([]string, len(pages))
	for i, p := range pages {
		names[i] = strings.TrimSuffix(path.Base(p), ".html")
	}
	return names
}
