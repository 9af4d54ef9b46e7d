package w3c

import "fmt"

// The Web Annotation Protocol (https://www.w3.org/TR/annotation-protocol/):
// each document's annotations are an LDP Basic Container that is also an
// AnnotationCollection, paged in AnnotationPages.

// LDPContext is the LDP vocabulary's JSON-LD context, beside Context in a
// container.
const LDPContext = "http://www.w3.org/ns/ldp.jsonld"

// The Prefer header's include values (Protocol §4.2).
const (
	PreferMinimalContainer      = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
	PreferContainedIRIs         = "http://www.w3.org/ns/oa#PreferContainedIRIs"
	PreferContainedDescriptions = "http://www.w3.org/ns/oa#PreferContainedDescriptions"
)

// View is how much of its contents a container answer carries.
type View struct {
	// Minimal leaves the pages out: first and last are IRIs.
	Minimal bool
	// IRIs lists annotations by IRI instead of describing them in full.
	IRIs bool
}

// Container is a document's annotations as the Protocol's container.
type Container struct {
	Context  []string `json:"@context"`
	ID       string   `json:"id"`
	Type     []string `json:"type"`
	Label    string   `json:"label"`
	Total    int      `json:"total"`
	Modified string   `json:"modified,omitempty"`
	First    any      `json:"first"` // *ContainerPage, or its IRI for a minimal container
	Last     string   `json:"last"`
}

// ContainerPage is one AnnotationPage of a container. Items are full
// annotations, each with its @context so it stands alone, or IRIs.
type ContainerPage struct {
	Context    string  `json:"@context,omitempty"`
	ID         string  `json:"id"`
	Type       string  `json:"type"`
	PartOf     *PartOf `json:"partOf,omitempty"`
	StartIndex int     `json:"startIndex"`
	Next       string  `json:"next,omitempty"`
	Prev       string  `json:"prev,omitempty"`
	Items      []any   `json:"items"`
}

// ContainerPageIRI is page n of a document's container, listing IRIs or
// descriptions.
func (s Site) ContainerPageIRI(docID uint, n int, iris bool) string {
	if iris {
		return fmt.Sprintf("%s?iris=1&page=%d", s.ContainerIRI(docID), n)
	}
	return fmt.Sprintf("%s?page=%d", s.ContainerIRI(docID), n)
}

// ContainerID is the container's IRI as this view names it: the IRI-only
// view is a resource of its own (?iris=1), as in the Protocol's examples.
func (s Site) ContainerID(docID uint, v View) string {
	if v.IRIs {
		return s.ContainerIRI(docID) + "?iris=1"
	}
	return s.ContainerIRI(docID)
}

// lastPage is the number of the last page; an empty container still has
// page 0, empty, so that first and last always lead somewhere.
func lastPage(total int) int { return max(PageCount(total)-1, 0) }

// Container maps the container with l's page 0 embedded as first, or with
// first and last as IRIs when v is minimal. modified is the newest change
// to its annotations, "" when unknown.
func (s Site) Container(l Listing, v View, modified string) Container {
	c := Container{Context: []string{Context, LDPContext}, ID: s.ContainerID(l.DocumentID, v),
		Type: []string{"BasicContainer", "AnnotationCollection"}, Label: l.Label, Total: l.Total, Modified: modified,
		Last: s.ContainerPageIRI(l.DocumentID, lastPage(l.Total), v.IRIs)}
	if v.Minimal {
		c.First = s.ContainerPageIRI(l.DocumentID, 0, v.IRIs)
	} else {
		first := s.containerPage(l, v.IRIs)
		c.First = &first
	}
	return c
}

// ContainerPage maps page l.Page served on its own, with @context and partOf.
func (s Site) ContainerPage(l Listing, iris bool, modified string) ContainerPage {
	p := s.containerPage(l, iris)
	p.Context = Context
	p.PartOf = &PartOf{ID: s.ContainerID(l.DocumentID, View{IRIs: iris}), Type: "AnnotationCollection", Label: l.Label, Total: l.Total,
		Modified: modified, First: s.ContainerPageIRI(l.DocumentID, 0, iris), Last: s.ContainerPageIRI(l.DocumentID, lastPage(l.Total), iris)}
	return p
}

func (s Site) containerPage(l Listing, iris bool) ContainerPage {
	p := ContainerPage{ID: s.ContainerPageIRI(l.DocumentID, l.Page, iris), Type: "AnnotationPage", StartIndex: l.Page * PageSize,
		Items: make([]any, len(l.Notes))}
	for i, n := range l.Notes {
		if iris {
			p.Items[i] = s.AnnotationIRI(n.DocumentID, n.ID)
		} else {
			p.Items[i] = s.Annotation(n)
		}
	}
	if l.Page > 0 {
		p.Prev = s.ContainerPageIRI(l.DocumentID, l.Page-1, iris)
	}
	if l.Page < lastPage(l.Total) {
		p.Next = s.ContainerPageIRI(l.DocumentID, l.Page+1, iris)
	}
	return p
}
