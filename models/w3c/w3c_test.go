package w3c

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"margin/models/w3c/w3ctest"
)

const assertions = "../../../shared/w3c/annotation-model"

var (
	site    = Site{Base: "https://margin.example"}
	created = time.Date(2026, 4, 4, 12, 0, 0, 123, time.FixedZone("CEST", 2*3600))
	rev     = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
)

func phrase() Anchor {
	return Anchor{Passage: 2, Exact: "Manfred Woerner", Prefix: "met with ", Suffix: " in Brussels", Start: 140, End: 155,
		Revision: 1, RevisionCreated: rev}
}

func passage() Anchor {
	return Anchor{Passage: 3, Prefix: "end of two.", Suffix: "Four begins", Start: 200, End: 310, Revision: 2, RevisionCreated: rev}
}

// notes has one annotation of every shape Margin stores.
func notes() map[string]Note {
	base := Note{ID: 7, DocumentID: 3, Author: "alice", Created: created}
	with := func(f func(*Note)) Note { n := base; f(&n); return n }
	return map[string]Note{
		"comment on a phrase": with(func(n *Note) {
			n.Kind, n.Body, n.BodyHTML, n.Anchor = "comment", "A **fine** point.", "<p>A <strong>fine</strong> point.</p>", phrase()
		}),
		"question on a passage": with(func(n *Note) {
			n.Kind, n.Body, n.BodyHTML, n.Anchor = "question", "Who?", "<p>Who?</p>", passage()
		}),
		"disagreement": with(func(n *Note) {
			n.Kind, n.Body, n.BodyHTML, n.Counterpoint, n.Anchor = "disagreement", "No.", "<p>No.</p>", "It was staged.", phrase()
			n.Edited = created.Add(time.Hour)
		}),
		"reference without text": with(func(n *Note) {
			n.Kind, n.Anchor = "reference", passage()
			n.Citations = []Citation{{Title: "Briefing book", URL: "https://nsarchive.example/book"}, {Text: "Sarotte, Not One Inch, 2021."},
				{Title: "Both", URL: "https://example.org/both?q=1&r=2", Text: "An entry with a link."}}
		}),
		"context": with(func(n *Note) {
			n.Kind, n.Body, n.BodyHTML, n.Anchor = "context", "Since 1991.", "<p>Since 1991.</p>", phrase()
		}),
		"reply comment": with(func(n *Note) {
			n.ID, n.ParentID, n.Kind, n.Body, n.BodyHTML, n.Anchor = 8, 7, "comment", "Agreed.", "<p>Agreed.</p>", passage()
		}),
		"reply question": with(func(n *Note) { n.ID, n.ParentID, n.Kind, n.Body, n.BodyHTML = 9, 7, "question", "Why?", "<p>Why?</p>" }),
	}
}

func TestEveryShapeMeetsTheW3CAssertions(t *testing.T) {
	suite := w3ctest.Load(t, assertions)
	for name, n := range notes() {
		t.Run(name, func(t *testing.T) {
			suite.Check(t, marshal(t, site.Annotation(n)))
		})
	}
}

func TestAnnotationMapping(t *testing.T) {
	ns := notes()
	a := decode(t, site.Annotation(ns["comment on a phrase"]))
	want := map[string]any{
		"@context":   Context,
		"id":         "https://margin.example/documents/3/annotations/7",
		"type":       "Annotation",
		"motivation": "commenting",
		"created":    "2026-04-04T10:00:00Z",
		"creator":    map[string]any{"id": "https://margin.example/users/alice", "type": "Person", "name": "alice", "nickname": "alice"},
		"generator":  map[string]any{"id": "https://margin.example/", "type": "Software", "name": "Margin", "homepage": "https://margin.example/"},
		"body": []any{map[string]any{"type": "Choice", "items": []any{
			map[string]any{"type": "TextualBody", "purpose": "commenting", "value": "A **fine** point.", "format": "text/markdown"},
			map[string]any{"type": "TextualBody", "purpose": "commenting", "value": "<p>A <strong>fine</strong> point.</p>", "format": "text/html"},
		}}},
		"target": map[string]any{
			"type":   "SpecificResource",
			"source": "https://margin.example/documents/3/revisions/1/text",
			"scope":  "https://margin.example/documents/3?rev=1",
			"state":  map[string]any{"type": "TimeState", "sourceDate": "2026-03-01T09:30:00Z"},
			"selector": []any{
				map[string]any{"type": "TextQuoteSelector", "exact": "Manfred Woerner", "prefix": "met with ", "suffix": " in Brussels"},
				map[string]any{"type": "TextPositionSelector", "start": 140.0, "end": 155.0},
			},
		},
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("comment on a phrase:\n got %s\nwant %s", js(a), js(want))
	}

	// A whole passage: its fragment and bounds, never an empty quote.
	sel := decode(t, site.Annotation(ns["question on a passage"]))["target"].(map[string]any)["selector"]
	wantSel := []any{
		map[string]any{"type": "FragmentSelector", "value": "char=200,310", "conformsTo": "http://tools.ietf.org/rfc/rfc5147"},
		map[string]any{"type": "TextPositionSelector", "start": 200.0, "end": 310.0},
	}
	if !reflect.DeepEqual(sel, wantSel) {
		t.Errorf("whole passage selectors: %s", js(sel))
	}

	// A passage starting at offset 0 keeps its start.
	first := ns["question on a passage"]
	first.Anchor.Start = 0
	if s := string(marshal(t, site.Annotation(first))); !strings.Contains(s, `"start":0`) {
		t.Errorf("start 0 dropped: %s", s)
	}
}

func TestMotivationsAndBodies(t *testing.T) {
	ns := notes()
	cases := []struct {
		note       string
		motivation any
		purposes   []string // of the bodies, a Choice by its first item's
	}{
		{"comment on a phrase", "commenting", []string{"commenting"}},
		{"question on a passage", "questioning", []string{"questioning"}},
		{"disagreement", "assessing", []string{"commenting", "assessing"}},
		{"reference without text", "linking", []string{"linking", "linking", "linking", "linking"}},
		{"context", "describing", []string{"describing"}},
		{"reply comment", "replying", []string{"replying"}},
		{"reply question", []string{"replying", "questioning"}, []string{"questioning"}},
	}
	for _, tc := range cases {
		a := site.Annotation(ns[tc.note])
		if !reflect.DeepEqual(a.Motivation, tc.motivation) {
			t.Errorf("%s: motivation %v, want %v", tc.note, a.Motivation, tc.motivation)
		}
		var got []string
		for _, b := range a.Body {
			if b.Type == "Choice" {
				b = b.Items[0]
			}
			got = append(got, b.Purpose)
		}
		if !reflect.DeepEqual(got, tc.purposes) {
			t.Errorf("%s: body purposes %v, want %v", tc.note, got, tc.purposes)
		}
	}

	d := site.Annotation(ns["disagreement"])
	if d.Modified != "2026-04-04T11:00:00Z" {
		t.Errorf("modified %q", d.Modified)
	}
	if cp := d.Body[1]; cp.Value != "It was staged." || cp.Format != "text/plain" {
		t.Errorf("counterpoint body %+v", cp)
	}
	if m := site.Annotation(ns["comment on a phrase"]).Modified; m != "" {
		t.Errorf("never edited, yet modified %q", m)
	}

	ref := site.Annotation(ns["reference without text"]).Body
	wantRef := []Body{
		{Type: "SpecificResource", Purpose: "linking", Source: &Resource{ID: "https://nsarchive.example/book", Label: "Briefing book"}},
		{Type: "TextualBody", Purpose: "linking", Value: "Sarotte, Not One Inch, 2021.", Format: "text/plain"},
		{Type: "SpecificResource", Purpose: "linking", Source: &Resource{ID: "https://example.org/both?q=1&r=2", Label: "Both"}},
		{Type: "TextualBody", Purpose: "linking", Value: "An entry with a link.", Format: "text/plain"},
	}
	if !reflect.DeepEqual(ref, wantRef) {
		t.Errorf("citations:\n got %s\nwant %s", js(ref), js(wantRef))
	}

	// A reply targets its parent and carries no selector of its own.
	if tgt := site.Annotation(ns["reply comment"]).Target; tgt != "https://margin.example/documents/3/annotations/7" {
		t.Errorf("reply target %v", tgt)
	}
}

func TestUsernamesAreEscapedInIRIs(t *testing.T) {
	if got := site.UserIRI("a b/c"); got != "https://margin.example/users/a%20b%2Fc" {
		t.Errorf("UserIRI: %s", got)
	}
}

func listing(total, page int) Listing {
	l := Listing{DocumentID: 3, Label: "Annotations on “A Text”", Total: total, Page: page}
	n := notes()["comment on a phrase"]
	for i := page * PageSize; i < total && i < (page+1)*PageSize; i++ {
		n.ID = uint(i + 1)
		l.Notes = append(l.Notes, n)
	}
	return l
}

func TestCollectionAndPages(t *testing.T) {
	suite := w3ctest.Load(t, assertions)
	const total = 2*PageSize + 5
	c := site.Collection(listing(total, 0))
	suite.Check(t, marshal(t, c))
	if c.Total != total || c.First == nil || len(c.First.Items) != PageSize || c.First.Context != "" {
		t.Fatalf("collection: total %d, first %+v", c.Total, c.First)
	}
	if c.Last != "https://margin.example/api/documents/3/annotations?page=2" || c.First.Next != "https://margin.example/api/documents/3/annotations?page=1" ||
		c.First.Prev != "" || c.First.PartOf != nil {
		t.Errorf("collection links: last %s, next %s, prev %s", c.Last, c.First.Next, c.First.Prev)
	}
	if c.First.Items[0].Context != "" {
		t.Error("an embedded annotation repeats the @context")
	}

	for page, want := range []struct {
		items      int
		prev, next string
	}{{PageSize, "", "?page=1"}, {PageSize, "?page=0", "?page=2"}, {5, "?page=1", ""}} {
		p := site.Page(listing(total, page))
		suite.Check(t, marshal(t, p))
		coll := "https://margin.example/api/documents/3/annotations"
		if len(p.Items) != want.items || p.StartIndex != page*PageSize || p.ID != fmt.Sprintf("%s?page=%d", coll, page) {
			t.Errorf("page %d: %d items from %d, id %s", page, len(p.Items), p.StartIndex, p.ID)
		}
		if link(coll, want.prev) != p.Prev || link(coll, want.next) != p.Next {
			t.Errorf("page %d: prev %q next %q", page, p.Prev, p.Next)
		}
		wantPartOf := PartOf{ID: coll, Type: "AnnotationCollection", Label: "Annotations on “A Text”", Total: total,
			First: coll + "?page=0", Last: coll + "?page=2"}
		if p.PartOf == nil || *p.PartOf != wantPartOf {
			t.Errorf("page %d partOf %+v", page, p.PartOf)
		}
	}

	// Empty: no first or last page to point at, and an empty page 0.
	empty := site.Collection(listing(0, 0))
	suite.Check(t, marshal(t, empty))
	if empty.First != nil || empty.Last != "" {
		t.Errorf("empty collection: %+v", empty)
	}
	p := site.Page(listing(0, 0))
	suite.Check(t, marshal(t, p))
	if s := string(marshal(t, p)); !strings.Contains(s, `"items":[]`) {
		t.Errorf("empty page has no items array: %s", s)
	}

	// Exactly one full page: no next.
	if one := site.Collection(listing(PageSize, 0)); one.First.Next != "" || one.Last != one.First.ID {
		t.Errorf("one full page: next %q, last %q", one.First.Next, one.Last)
	}
}

func TestPageCount(t *testing.T) {
	for total, want := range map[int]int{0: 0, 1: 1, PageSize: 1, PageSize + 1: 2, 3 * PageSize: 3} {
		if got := PageCount(total); got != want {
			t.Errorf("PageCount(%d) = %d, want %d", total, got, want)
		}
	}
}

func link(coll, query string) string {
	if query == "" {
		return ""
	}
	return coll + query
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t *testing.T, v any) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(marshal(t, v), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestContainerViews(t *testing.T) {
	suite := w3ctest.Load(t, assertions)
	const total = PageSize + 5
	cont := "https://margin.example/documents/3/annotations/"
	for name, v := range map[string]View{"descriptions": {}, "iris": {IRIs: true}, "minimal": {Minimal: true}, "minimal iris": {Minimal: true, IRIs: true}} {
		c := site.Container(listing(total, 0), v, "2026-04-04T12:00:00Z")
		doc := decode(t, c)
		suite.Check(t, marshal(t, c))
		wantID, pages := cont, cont+"?page="
		if v.IRIs {
			wantID, pages = cont+"?iris=1", cont+"?iris=1&page="
		}
		if doc["id"] != wantID || doc["last"] != pages+"1" || !reflect.DeepEqual(doc["type"], []any{"BasicContainer", "AnnotationCollection"}) {
			t.Errorf("%s: %s", name, js(doc))
		}
		first := doc["first"]
		if v.Minimal {
			if first != pages+"0" {
				t.Errorf("%s: first %v", name, first)
			}
			continue
		}
		fp := first.(map[string]any)
		items := fp["items"].([]any)
		if fp["next"] != pages+"1" || len(items) != PageSize {
			t.Errorf("%s: first page %v items %d", name, fp["next"], len(items))
		}
		if v.IRIs {
			if items[0] != cont+"1" {
				t.Errorf("%s: item %v", name, items[0])
			}
		} else if it := items[0].(map[string]any); it["id"] != cont+"1" || it["@context"] != Context {
			t.Errorf("%s: item %v", name, js(it))
		}
	}
	last := site.ContainerPage(listing(total, 1), false, "")
	suite.Check(t, marshal(t, last))
	if last.Prev != cont+"?page=0" || last.Next != "" || last.PartOf.ID != cont || len(last.Items) != 5 {
		t.Errorf("last page: %s", js(last))
	}
	// Empty: first and last still lead to page 0, which is empty.
	empty := site.Container(listing(0, 0), View{Minimal: true}, "")
	suite.Check(t, marshal(t, empty))
	if empty.First != cont+"?page=0" || empty.Last != cont+"?page=0" {
		t.Errorf("empty: %s", js(empty))
	}
	p := site.ContainerPage(listing(0, 0), true, "")
	suite.Check(t, marshal(t, p))
}

func TestContextFitsUTF16Clients(t *testing.T) {
	// 32 code points of which three are emoji: 35 UTF-16 code units.
	prefix := "I 😀 like 🎉 this 🧵 pretty phrase "
	suffix := " and 👍 so 👍 do 👍 all the friends"
	if n := len([]rune(prefix)); n != 32 {
		t.Fatalf("prefix has %d code points", n)
	}
	n := notes()["comment on a phrase"]
	n.Anchor.Prefix, n.Anchor.Suffix = prefix, suffix
	sel := site.Annotation(n).Target.(*Target).Selector[0].(TextQuoteSelector)
	units := func(s string) int { return len(utf16.Encode([]rune(s))) }
	if units(sel.Prefix) > ContextUnits || units(sel.Suffix) > ContextUnits || !strings.HasSuffix(prefix, sel.Prefix) ||
		!strings.HasPrefix(suffix, sel.Suffix) || units(sel.Prefix) < ContextUnits-1 {
		t.Errorf("prefix %q (%d units), suffix %q (%d units)", sel.Prefix, units(sel.Prefix), sel.Suffix, units(sel.Suffix))
	}
	if got := lastUnits("😀😀", 3); got != "😀" {
		t.Errorf("a surrogate pair is never split: %q", got)
	}
}
