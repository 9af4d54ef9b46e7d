package w3c

// Export is a whole set of annotations as one file: an AnnotationCollection
// whose single embedded page holds them all, each with its own @context, so
// that Margin's import (or any W3C client) reads it back.
func (s Site) Export(id, label string, notes []Note) Collection {
	c := Collection{Context: Context, ID: id, Type: "AnnotationCollection", Label: label, Total: len(notes)}
	first := Page{ID: id + "#all", Type: "AnnotationPage", Items: make([]Annotation, len(notes))}
	for i, n := range notes {
		first.Items[i] = s.Annotation(n)
	}
	c.First = &first
	c.Last = first.ID
	return c
}
