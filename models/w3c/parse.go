package w3c

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Incoming is an annotation a Web Annotation client sent, or a file holds:
// what Margin reads of it, and the target as it came.
type Incoming struct {
	ID, Canonical, Via string
	Motivations        []string
	Texts              []TextBody
	Links              []Citation // bodies that are web resources
	Tags               []string
	Targets            []IncomingTarget
	RawTarget          json.RawMessage
	Creator            string // the creator's name, nickname or IRI
	Created            time.Time
	// ReplyTo is the id, in the same file, of the annotation this one
	// replies to (Hypothesis's last reference), "" for none.
	ReplyTo string
}

// TextBody is one TextualBody (or bodyValue).
type TextBody struct{ Value, Format, Purpose string }

// IncomingTarget is one target: its source IRI and what its selectors say.
type IncomingTarget struct {
	Source                string
	Exact, Prefix, Suffix string
	Start, End            int
	HasPosition           bool
	Fragment              string // a FragmentSelector's value, such as "p-3"
}

// ErrNotAnnotation is JSON that is not a W3C Annotation.
var ErrNotAnnotation = errors.New("not a W3C Annotation: it needs \"type\": \"Annotation\" and a target")

// Parse reads one annotation.
func Parse(data []byte) (Incoming, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Incoming{}, fmt.Errorf("not JSON: %w", err)
	}
	return parseObject(raw)
}

func parseObject(raw map[string]json.RawMessage) (Incoming, error) {
	if !hasType(raw["type"], "Annotation") || len(raw["target"]) == 0 {
		return Incoming{}, ErrNotAnnotation
	}
	var in Incoming
	in.ID, in.Canonical, in.Via = str(raw["id"]), str(raw["canonical"]), str(raw["via"])
	in.Motivations = strs(raw["motivation"])
	if created := str(raw["created"]); created != "" {
		in.Created, _ = time.Parse(time.RFC3339, created)
	}
	in.Creator = agentName(raw["creator"])
	if v := str(raw["bodyValue"]); v != "" {
		in.Texts = append(in.Texts, TextBody{Value: v, Format: "text/plain"})
	}
	for _, b := range list(raw["body"]) {
		in.addBody(b)
	}
	in.RawTarget = raw["target"]
	for _, t := range list(raw["target"]) {
		if tgt, ok := parseTarget(t); ok {
			in.Targets = append(in.Targets, tgt)
		}
	}
	return in, nil
}

// ParseAll reads a file of W3C annotations: one Annotation, an
// AnnotationPage, an AnnotationCollection with its first page embedded, or
// a JSON array of annotations. Objects that are not annotations are
// reported by their position, not dropped silently.
func ParseAll(data []byte) ([]Incoming, []error, error) {
	var top any
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, nil, fmt.Errorf("not JSON: %w", err)
	}
	var items []json.RawMessage
	switch v := top.(type) {
	case []any:
		_ = json.Unmarshal(data, &items)
	case map[string]any:
		var raw map[string]json.RawMessage
		_ = json.Unmarshal(data, &raw)
		switch {
		case hasType(raw["type"], "Annotation"):
			items = []json.RawMessage{data}
		case hasType(raw["type"], "AnnotationPage"):
			items = list(raw["items"])
		case hasType(raw["type"], "AnnotationCollection"):
			var first map[string]json.RawMessage
			if json.Unmarshal(raw["first"], &first) == nil {
				items = list(first["items"])
			}
		default:
			_ = v
			return nil, nil, errors.New("neither an Annotation, an AnnotationPage nor an AnnotationCollection")
		}
	default:
		return nil, nil, errors.New("not a JSON object or array")
	}
	var out []Incoming
	var bad []error
	for i, it := range items {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(it, &raw); err != nil {
			bad = append(bad, fmt.Errorf("item %d: an IRI or not an object, nothing to import", i+1))
			continue
		}
		in, err := parseObject(raw)
		if err != nil {
			bad = append(bad, fmt.Errorf("item %d: %w", i+1, err))
			continue
		}
		out = append(out, in)
	}
	return out, bad, nil
}

func (in *Incoming) addBody(b json.RawMessage) {
	if iri := str(b); iri != "" {
		in.Links = append(in.Links, Citation{Title: iri, URL: iri})
		return
	}
	var o map[string]json.RawMessage
	if json.Unmarshal(b, &o) != nil {
		return
	}
	purpose := str(o["purpose"])
	switch {
	case hasType(o["type"], "Choice"):
		if best, ok := preferredItem(list(o["items"])); ok {
			in.addBody(best)
		}
	case len(o["value"]) > 0:
		text := TextBody{Value: str(o["value"]), Format: str(o["format"]), Purpose: purpose}
		if purpose == "tagging" {
			in.Tags = append(in.Tags, text.Value)
		} else if text.Value != "" {
			in.Texts = append(in.Texts, text)
		}
	case len(o["source"]) > 0 || len(o["id"]) > 0:
		iri, label := str(o["source"]), str(o["label"])
		if iri == "" {
			var src map[string]json.RawMessage
			if json.Unmarshal(o["source"], &src) == nil {
				iri, label = str(src["id"]), firstNonEmpty(str(src["label"]), label)
			}
		}
		if iri == "" {
			iri = str(o["id"])
		}
		if iri != "" {
			in.Links = append(in.Links, Citation{Title: firstNonEmpty(label, iri), URL: iri})
		}
	}
}

// preferredItem picks Margin's favourite of equivalent bodies: Markdown,
// then plain text, then whatever comes first.
func preferredItem(items []json.RawMessage) (json.RawMessage, bool) {
	if len(items) == 0 {
		return nil, false
	}
	for _, format := range []string{"text/markdown", "text/plain"} {
		for _, it := range items {
			var o map[string]json.RawMessage
			if json.Unmarshal(it, &o) == nil && str(o["format"]) == format {
				return it, true
			}
		}
	}
	return items[0], true
}

func parseTarget(t json.RawMessage) (IncomingTarget, bool) {
	if iri := str(t); iri != "" {
		return IncomingTarget{Source: iri}, true
	}
	var o map[string]json.RawMessage
	if json.Unmarshal(t, &o) != nil {
		return IncomingTarget{}, false
	}
	tgt := IncomingTarget{Source: str(o["source"])}
	if tgt.Source == "" {
		var src map[string]json.RawMessage
		if json.Unmarshal(o["source"], &src) == nil {
			tgt.Source = str(src["id"])
		}
	}
	if tgt.Source == "" {
		tgt.Source = str(o["id"])
	}
	for _, s := range list(o["selector"]) {
		tgt.addSelector(s)
	}
	return tgt, tgt.Source != ""
}

func (t *IncomingTarget) addSelector(s json.RawMessage) {
	var o map[string]json.RawMessage
	if json.Unmarshal(s, &o) != nil {
		return
	}
	switch {
	case hasType(o["type"], "TextQuoteSelector"):
		t.Exact, t.Prefix, t.Suffix = str(o["exact"]), str(o["prefix"]), str(o["suffix"])
	case hasType(o["type"], "TextPositionSelector"):
		start, e1 := num(o["start"])
		end, e2 := num(o["end"])
		if e1 == nil && e2 == nil && 0 <= start && start <= end {
			t.Start, t.End, t.HasPosition = start, end, true
		}
	case hasType(o["type"], "FragmentSelector"):
		t.Fragment = str(o["value"])
	case hasType(o["type"], "RangeSelector"):
		// Hypothesis's XPath ranges name nodes of a page Margin does not
		// serve; the quote and position beside them place the note.
	}
}

// Site-relative IRIs a target may name.
const (
	IRIOther = iota
	IRIDocument
	IRIAnnotation
)

// MatchIRI tells what an IRI of this site names: a document (its reading
// view, a revision's view or its text), or an annotation (in a container or
// its permalink), with their ids and, for a revision, its number.
func (s Site) MatchIRI(iri string) (kind int, docID, annID uint, rev int) {
	rest, ok := strings.CutPrefix(iri, s.Base)
	if !ok || s.Base == "" {
		return IRIOther, 0, 0, 0
	}
	u, err := url.Parse(rest)
	if err != nil {
		return IRIOther, 0, 0, 0
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	id := func(p string) uint { n, _ := strconv.ParseUint(p, 10, 32); return uint(n) }
	switch {
	case len(parts) == 2 && parts[0] == "annotations" && id(parts[1]) > 0:
		return IRIAnnotation, 0, id(parts[1]), 0
	case len(parts) == 4 && parts[0] == "documents" && parts[2] == "annotations" && id(parts[1]) > 0 && id(parts[3]) > 0:
		return IRIAnnotation, id(parts[1]), id(parts[3]), 0
	case len(parts) >= 2 && parts[0] == "documents" && id(parts[1]) > 0:
		doc := id(parts[1])
		rev, _ := strconv.Atoi(u.Query().Get("rev"))
		if len(parts) >= 4 && parts[2] == "revisions" {
			rev, _ = strconv.Atoi(strings.TrimSuffix(parts[3], ".txt"))
		}
		if len(parts) == 2 || len(parts) >= 4 && parts[2] == "revisions" {
			return IRIDocument, doc, 0, rev
		}
	}
	return IRIOther, 0, 0, 0
}

func hasType(raw json.RawMessage, want string) bool {
	for _, t := range strs(raw) {
		if t == want {
			return true
		}
	}
	return false
}

// list reads a value that may be one item or an array of them.
func list(raw json.RawMessage) []json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var many []json.RawMessage
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	return []json.RawMessage{raw}
}

func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

func strs(raw json.RawMessage) []string {
	var out []string
	for _, r := range list(raw) {
		if s := str(r); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func num(raw json.RawMessage) (int, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, err
	}
	return int(f), nil
}

func agentName(raw json.RawMessage) string {
	if s := str(raw); s != "" {
		return s
	}
	var o map[string]json.RawMessage
	if json.Unmarshal(raw, &o) != nil {
		return ""
	}
	return firstNonEmpty(str(o["name"]), str(o["nickname"]), str(o["id"]))
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// Kind is the Margin kind closest to what the annotation says it does.
func (in Incoming) Kind() string {
	purposes := append([]string{}, in.Motivations...)
	for _, t := range in.Texts {
		purposes = append(purposes, t.Purpose)
	}
	has := func(m string) bool {
		for _, p := range purposes {
			if p == m {
				return true
			}
		}
		return false
	}
	switch {
	case has("questioning"):
		return "question"
	case has("describing"):
		return "context"
	case has("assessing") && len(in.Texts) > 1:
		return "disagreement"
	case len(in.Links) > 0:
		return "reference"
	}
	return "comment"
}

// BodyAndCounterpoint splits the texts into Margin's body and, for a
// disagreement, its counterpoint (the text with purpose assessing).
func (in Incoming) BodyAndCounterpoint() (body TextBody, counterpoint string) {
	disagreement := in.Kind() == "disagreement"
	var rest []string
	for _, t := range in.Texts {
		switch {
		case disagreement && counterpoint == "" && t.Purpose == "assessing":
			counterpoint = t.Value
		case body.Value == "":
			body = t
		default:
			rest = append(rest, t.Value)
		}
	}
	if len(rest) > 0 {
		body.Value = strings.Join(append([]string{body.Value}, rest...), "\n\n")
	}
	return body, counterpoint
}
