// Package assets serves the embedded CSS, JavaScript and images under
// content-hashed names, so browsers may cache them for a year.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var files embed.FS

// Asset is one embedded file.
type Asset struct {
	Data        []byte
	ContentType string
	HashedName  string
}

// Set maps logical names ("style.css") to assets and hashed URL names back.
type Set struct {
	byName   map[string]*Asset
	byHashed map[string]*Asset
}

// Load reads and hashes every embedded asset.
func Load() (*Set, error) {
	s := &Set{byName: map[string]*Asset{}, byHashed: map[string]*Asset{}}
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(data)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:12] + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		a := &Asset{Data: data, ContentType: ct, HashedName: hashed}
		s.byName[name] = a
		s.byHashed[hashed] = a
		return nil
	})
	return s, err
}

// URL returns the cacheable URL of a logical asset name.
func (s *Set) URL(name string) string {
	if a, ok := s.byName[name]; ok {
		return "/assets/" + a.HashedName
	}
	return "/assets/" + name
}

// ServeHTTP serves /assets/{hashed name}.
func (s *Set) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/assets/")
	a, ok := s.byHashed[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(a.Data)
}
