// Package samples embeds the documents a fresh installation starts with:
// the article "The Short-lived NATO-Russia Honeymoon" (National Security
// Archive, 2024) and the North Atlantic Treaty of 1949 whose anniversary it
// marks.
package samples

import (
	"embed"
	"io/fs"
	"sort"
)

//go:embed *.txt
var files embed.FS

// File is one embedded sample.
type File struct {
	Name string
	Data []byte
	// Captions are the numbers of the passages that are photo captions,
	// which plain text cannot mark.
	Captions []int
}

// captions of each sample, as its publisher printed them.
var captions = map[string][]int{
	"nato-russia-honeymoon.txt": {1},
}

// Files returns the samples, article first.
func Files() []File {
	entries, _ := fs.ReadDir(files, ".")
	var out []File
	for _, e := range entries {
		data, err := files.ReadFile(e.Name())
		if err != nil {
			panic(err) // embedded files are always readable
		}
		out = append(out, File{Name: e.Name(), Data: data, Captions: captions[e.Name()]})
	}
	// The article is the one a newcomer should see first in the library,
	// which lists newest first: import it last.
	sort.Slice(out, func(i, j int) bool { return out[i].Name > out[j].Name })
	return out
}
