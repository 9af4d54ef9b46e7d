package w3c

// Collection is a document's annotations as a W3C AnnotationCollection,
// with its first page embedded.
type Collection struct {
	Context string `json:"@context"`
	ID      string `json:"id"`
	Type    string `json:"type"`
	Label   string `json:"label"`
	Total   int    `json:"total"`
	First   *Page  `json:"first,omitempty"`
	Last    string `json:"last,omitempty"`
}

// Page is one W3C AnnotationPage of a collection.
type Page struct {
	Context    string       `json:"@context,omitempty"`
	ID         string       `json:"id"`
	Type       string       `json:"type"`
	PartOf     *PartOf      `json:"partOf,omitempty"`
	StartIndex int          `json:"startIndex"`
	Next       string       `json:"next,omitempty"`
	Prev       string       `json:"prev,omitempty"`
	Items      []Annotation `json:"items"`
}

// PartOf describes, from a page served on its own, the collection it
// belongs to.
type PartOf struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Label    string `json:"label"`
	Total    int    `json:"total"`
	Modified string `json:"modified,omitempty"`
	First    string `json:"first,omitempty"`
	Last     string `json:"last,omitempty"`
}

// Listing is one page of a document's annotations as the caller found them.
type Listing struct {
	DocumentID uint
	Label      string // the collection's label, e.g. `Annotations on “Title”`
	Total      int    // every annotation of the collection, on all pages
	Page       int    // this page's number, from 0
	Notes      []Note // this page's annotations, at most PageSize
}

// PageCount is how many pages total annotations fill; an empty collection
// has none.
func PageCount(total int) int { return (total + PageSize - 1) / PageSize }

// Collection maps the collection with l, its page 0, embedded as first. An
// empty collection has no first or last page.
func (s Site) Collection(l Listing) Collection {
	c := Collection{Context: Context, ID: s.CollectionIRI(l.DocumentID), Type: "AnnotationCollection",
		Label: l.Label, Total: l.Total}
	if l.Total == 0 {
		return c
	}
	first := s.page(l)
	c.First = &first
	c.Last = s.PageIRI(l.DocumentID, PageCount(l.Total)-1)
	return c
}

// Page maps page l.Page served on its own, with @context and partOf.
func (s Site) Page(l Listing) Page {
	p := s.page(l)
	p.Context = Context
	p.PartOf = &PartOf{ID: s.CollectionIRI(l.DocumentID), Type: "AnnotationCollection", Label: l.Label, Total: l.Total}
	if l.Total > 0 {
		p.PartOf.First = s.PageIRI(l.DocumentID, 0)
		p.PartOf.Last = s.PageIRI(l.DocumentID, PageCount(l.Total)-1)
	}
	return p
}

func (s Site) page(l Listing) Page {
	p := Page{ID: s.PageIRI(l.DocumentID, l.Page), Type: "AnnotationPage", StartIndex: l.Page * PageSize,
		Items: make([]Annotation, len(l.Notes))}
	for i, n := range l.Notes {
		p.Items[i] = s.item(n)
	}
	if l.Page > 0 {
		p.Prev = s.PageIRI(l.DocumentID, l.Page-1)
	}
	if l.Page+1 < PageCount(l.Total) {
		p.Next = s.PageIRI(l.DocumentID, l.Page+1)
	}
	return p
}
