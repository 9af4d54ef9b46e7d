// Package w3c writes Margin's annotations in the W3C Web Annotation Data
// Model (https://www.w3.org/TR/annotation-model/), as JSON-LD with the
// anno.jsonld context: one Annotation, or a document's annotations as an
// AnnotationCollection in AnnotationPages.
//
// It knows nothing of the database: callers fill a Note per annotation. Every
// IRI is absolute, built from the site's base URL.
package w3c

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

const (
	// Context is the JSON-LD context of every top-level object.
	Context = "http://www.w3.org/ns/anno.jsonld"
	// MediaType is the Content-Type the Web Annotation Protocol asks for.
	MediaType = `application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`
	// PageSize is how many annotations one AnnotationPage holds.
	PageSize = 100
)

// Note is what the export needs to know of one annotation.
type Note struct {
	ID         uint
	DocumentID uint
	ParentID   uint   // 0 for a top-level annotation
	Kind       string // comment, question, disagreement, reference or context
	// Body is the Markdown source; BodyHTML its sanitised rendering. Both
	// are empty for a reference that only lists citations.
	Body         string
	BodyHTML     string
	Counterpoint string // what a disagreement holds instead, plain text
	Citations    []Citation
	Author       string // the username
	Created      time.Time
	Edited       time.Time // zero when never edited
	// Anchor locates a top-level annotation; replies target their parent.
	Anchor Anchor
	// What a Web Annotation client sent that Margin keeps as it came: its
	// canonical IRI, the IRI it had elsewhere (via), its tags, and a target
	// Margin could not place in the document (RawTarget, JSON).
	Canonical, Via string
	Tags           []string
	RawTarget      []byte
}

// Citation is one source of a reference: a titled link, a bibliographic
// entry, or both.
type Citation struct{ Title, URL, Text string }

// Anchor is where a top-level annotation sits in the revision it was written
// on (or re-anchored to). Start and End are code point offsets into the
// revision's text, End exclusive; Exact is "" for a whole passage, whose
// bounds Start and End then hold.
type Anchor struct {
	Passage               int
	Exact, Prefix, Suffix string
	Start, End            int
	Revision              int       // the revision's number, as in /documents/ID?rev=N
	RevisionCreated       time.Time // when that revision's text was stored
}

// Annotation is a W3C Annotation.
type Annotation struct {
	Context    string `json:"@context,omitempty"`
	ID         string `json:"id"`
	Type       string `json:"type"`
	Motivation any    `json:"motivation"` // a string, or a list for a reply of another kind
	Created    string `json:"created"`
	Modified   string `json:"modified,omitempty"`
	Canonical  string `json:"canonical,omitempty"`
	Via        string `json:"via,omitempty"`
	Creator    Agent  `json:"creator"`
	Generator  *Agent `json:"generator,omitempty"`
	Body       []Body `json:"body,omitempty"`
	Target     any    `json:"target"` // *Target, or the parent's IRI for a reply
}

// Agent is the Person who wrote an annotation, or the Software that made
// its JSON (the generator).
type Agent struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Name     string `json:"name,omitempty"`
	Nickname string `json:"nickname,omitempty"`
	Homepage string `json:"homepage,omitempty"`
}

// Body is a TextualBody, a Choice between TextualBodies, or a
// SpecificResource pointing at a cited source.
type Body struct {
	Type    string    `json:"type"`
	Purpose string    `json:"purpose,omitempty"`
	Value   string    `json:"value,omitempty"`
	Format  string    `json:"format,omitempty"`
	Items   []Body    `json:"items,omitempty"`
	Source  *Resource `json:"source,omitempty"`
}

// Resource is an external web resource, such as a cited page.
type Resource struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
}

// Target is the passage or phrase of a document an annotation is on.
type Target struct {
	Type   string `json:"type"`
	Source string `json:"source"`
	// Scope is the page the source is read in: the revision's reading view.
	Scope    string `json:"scope,omitempty"`
	State    *State `json:"state,omitempty"`
	Selector []any  `json:"selector"`
}

// State pins the revision the selectors apply to: the text as it was at
// SourceDate, readable at Cached.
type State struct {
	Type       string `json:"type"`
	SourceDate string `json:"sourceDate"`
	Cached     string `json:"cached,omitempty"`
}

// TextQuoteSelector picks text by its content and context.
type TextQuoteSelector struct {
	Type   string `json:"type"`
	Exact  string `json:"exact"`
	Prefix string `json:"prefix,omitempty"`
	Suffix string `json:"suffix,omitempty"`
}

// TextPositionSelector picks text by code point offsets, End exclusive.
type TextPositionSelector struct {
	Type  string `json:"type"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// FragmentSelector names a passage by its fragment on the document's page.
type FragmentSelector struct {
	Type       string `json:"type"`
	Value      string `json:"value"`
	ConformsTo string `json:"conformsTo"`
}

// Site makes absolute IRIs and W3C objects for one base URL.
type Site struct {
	// Base is scheme and host, such as "https://margin.example", without a
	// trailing slash.
	Base string
}

// AnnotationIRI is an annotation's id: a resource in its document's
// Protocol container. The permalink (PermalinkIRI) serves the same JSON-LD.
func (s Site) AnnotationIRI(docID, id uint) string {
	return fmt.Sprintf("%s%d", s.ContainerIRI(docID), id)
}

// PermalinkIRI is an annotation's page for people.
func (s Site) PermalinkIRI(id uint) string { return fmt.Sprintf("%s/annotations/%d", s.Base, id) }

// ContainerIRI is a document's Web Annotation Protocol container, with the
// trailing slash the Protocol asks for.
func (s Site) ContainerIRI(docID uint) string {
	return fmt.Sprintf("%s/documents/%d/annotations/", s.Base, docID)
}

// DocumentIRI is a document's reading view.
func (s Site) DocumentIRI(id uint) string { return fmt.Sprintf("%s/documents/%d", s.Base, id) }

// RevisionIRI is the reading view of one revision of a document.
func (s Site) RevisionIRI(docID uint, number int) string {
	return fmt.Sprintf("%s/documents/%d?rev=%d", s.Base, docID, number)
}

// TextIRI is a revision's text as text/plain: the source every selector
// counts in, code point by code point.
func (s Site) TextIRI(docID uint, number int) string {
	return fmt.Sprintf("%s/documents/%d/revisions/%d/text", s.Base, docID, number)
}

// UserIRI is a user's profile page.
func (s Site) UserIRI(name string) string { return s.Base + "/users/" + url.PathEscape(name) }

// CollectionIRI is the AnnotationCollection of a document's annotations.
func (s Site) CollectionIRI(docID uint) string {
	return fmt.Sprintf("%s/api/documents/%d/annotations", s.Base, docID)
}

// PageIRI is page n (from 0) of a document's collection.
func (s Site) PageIRI(docID uint, n int) string {
	return fmt.Sprintf("%s?page=%d", s.CollectionIRI(docID), n)
}

// Annotation maps one note, with the @context, as a document of its own.
func (s Site) Annotation(n Note) Annotation {
	a := s.item(n)
	a.Context = Context
	return a
}

// item maps one note as it sits in a page, without the @context.
func (s Site) item(n Note) Annotation {
	a := Annotation{
		ID:         s.AnnotationIRI(n.DocumentID, n.ID),
		Type:       "Annotation",
		Motivation: motivation(n),
		Created:    dateTime(n.Created),
		Creator:    Agent{ID: s.UserIRI(n.Author), Type: "Person", Name: n.Author, Nickname: n.Author},
		Generator:  &Agent{ID: s.Base + "/", Type: "Software", Name: "Margin", Homepage: s.Base + "/"},
		Body:       bodies(n),
	}
	if !n.Edited.IsZero() {
		a.Modified = dateTime(n.Edited)
	}
	a.Canonical, a.Via = n.Canonical, n.Via
	if n.ParentID != 0 {
		a.Target = s.AnnotationIRI(n.DocumentID, n.ParentID)
	} else if len(n.RawTarget) > 0 {
		a.Target = json.RawMessage(n.RawTarget)
	} else {
		a.Target = s.target(n)
	}
	return a
}

// kindMotivations maps each kind to the W3C motivation closest to it.
var kindMotivations = map[string]string{
	"comment":      "commenting",
	"question":     "questioning",
	"disagreement": "assessing",
	"reference":    "linking",
	"context":      "describing",
}

func kindMotivation(kind string) string {
	if m, ok := kindMotivations[kind]; ok {
		return m
	}
	return "commenting"
}

// motivation is the kind's motivation; a reply is "replying", and keeps its
// kind's motivation beside it when it is more than a comment.
func motivation(n Note) any {
	m := kindMotivation(n.Kind)
	if n.ParentID == 0 {
		return m
	}
	if m == "commenting" {
		return "replying"
	}
	return []string{"replying", m}
}

// bodies lists what the annotation says: its text (Markdown, with the HTML
// rendering offered as an equivalent Choice), a disagreement's counterpoint,
// and a reference's citations.
func bodies(n Note) []Body {
	var out []Body
	if n.Body != "" {
		purpose := bodyPurpose(n)
		text := Body{Type: "TextualBody", Purpose: purpose, Value: n.Body, Format: "text/markdown"}
		if n.BodyHTML == "" {
			out = append(out, text)
		} else {
			html := Body{Type: "TextualBody", Purpose: purpose, Value: n.BodyHTML, Format: "text/html"}
			out = append(out, Body{Type: "Choice", Items: []Body{text, html}})
		}
	}
	if n.Counterpoint != "" {
		out = append(out, Body{Type: "TextualBody", Purpose: "assessing", Value: n.Counterpoint, Format: "text/plain"})
	}
	for _, tag := range n.Tags {
		out = append(out, Body{Type: "TextualBody", Purpose: "tagging", Value: tag})
	}
	for _, c := range n.Citations {
		if c.URL != "" {
			out = append(out, Body{Type: "SpecificResource", Purpose: "linking", Source: &Resource{ID: c.URL, Label: c.Title}})
		}
		if c.Text != "" {
			out = append(out, Body{Type: "TextualBody", Purpose: "linking", Value: c.Text, Format: "text/plain"})
		}
	}
	return out
}

// bodyPurpose is what the text body does: it asks for a question, describes
// for context, and otherwise comments (a reply's comment replies). A
// disagreement's counterpoint and a reference's citations carry the
// assessing and linking.
func bodyPurpose(n Note) string {
	switch n.Kind {
	case "question", "context":
		return kindMotivation(n.Kind)
	case "comment":
		if n.ParentID != 0 {
			return "replying"
		}
	}
	return "commenting"
}

// ContextUnits bounds a quote's prefix and suffix in UTF-16 code units,
// which is how JavaScript clients measure them: 32 code points with emoji
// would be more.
const ContextUnits = 32

// target is the revision's text, with selectors that each pick the same
// text in it: a phrase by quote and by position, a whole passage by its
// bounds, as a position and as an RFC 5147 fragment of the text/plain
// (never a quote with an empty exact). The reading view of that revision
// is the scope the text is read in.
func (s Site) target(n Note) *Target {
	an := n.Anchor
	t := &Target{Type: "SpecificResource", Source: s.DocumentIRI(n.DocumentID)}
	if an.Revision > 0 {
		t.Source = s.TextIRI(n.DocumentID, an.Revision)
		t.Scope = s.RevisionIRI(n.DocumentID, an.Revision)
		t.State = &State{Type: "TimeState", SourceDate: dateTime(an.RevisionCreated)}
	}
	position := TextPositionSelector{Type: "TextPositionSelector", Start: an.Start, End: an.End}
	if an.Exact != "" {
		t.Selector = []any{TextQuoteSelector{Type: "TextQuoteSelector", Exact: an.Exact,
			Prefix: lastUnits(an.Prefix, ContextUnits), Suffix: firstUnits(an.Suffix, ContextUnits)}, position}
	} else {
		t.Selector = []any{FragmentSelector{Type: "FragmentSelector", Value: fmt.Sprintf("char=%d,%d", an.Start, an.End),
			ConformsTo: "http://tools.ietf.org/rfc/rfc5147"}, position}
	}
	return t
}

// utf16Len is how many UTF-16 code units r takes.
func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// lastUnits is the end of s that fits in n UTF-16 code units, whole code
// points only.
func lastUnits(s string, n int) string {
	r := []rune(s)
	i, units := len(r), 0
	for i > 0 && units+utf16Len(r[i-1]) <= n {
		i--
		units += utf16Len(r[i])
	}
	return string(r[i:])
}

// firstUnits is the start of s that fits in n UTF-16 code units.
func firstUnits(s string, n int) string {
	r := []rune(s)
	i, units := 0, 0
	for i < len(r) && units+utf16Len(r[i]) <= n {
		units += utf16Len(r[i])
		i++
	}
	return string(r[:i])
}

// dateTime writes an xsd:dateTime in UTC, to the second.
func dateTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }
