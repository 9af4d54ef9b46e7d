package w3c

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Hypothesis (https://h.readthedocs.io/en/latest/api-reference/) exports
// and API results: an annotation object, a search result {"total", "rows"},
// the client's export file {"annotations": [...]}, or a JSON array of
// annotations. Each has an id, text (Markdown), tags, target[] with a
// source and W3C selectors, references (the thread, root first), user,
// uri and created.

type hypothesisAnnotation struct {
	ID         string            `json:"id"`
	Created    string            `json:"created"`
	User       string            `json:"user"`
	URI        string            `json:"uri"`
	Text       string            `json:"text"`
	Tags       []string          `json:"tags"`
	References []string          `json:"references"`
	Target     []json.RawMessage `json:"target"`
}

// ParseHypothesis reads a Hypothesis file into annotations, each reply
// naming its parent's id in ReplyTo.
func ParseHypothesis(data []byte) ([]Incoming, []error, error) {
	var rows []json.RawMessage
	var top map[string]json.RawMessage
	switch {
	case json.Unmarshal(data, &rows) == nil:
	case json.Unmarshal(data, &top) == nil:
		switch {
		case len(top["rows"]) > 0:
			_ = json.Unmarshal(top["rows"], &rows)
		case len(top["annotations"]) > 0:
			_ = json.Unmarshal(top["annotations"], &rows)
		case len(top["id"]) > 0:
			rows = []json.RawMessage{data}
		default:
			return nil, nil, errors.New("not a Hypothesis export: no rows, annotations or annotation")
		}
	default:
		return nil, nil, errors.New("not JSON")
	}
	var out []Incoming
	var bad []error
	for i, r := range rows {
		var h hypothesisAnnotation
		if err := json.Unmarshal(r, &h); err != nil || h.ID == "" {
			bad = append(bad, fmt.Errorf("item %d: not a Hypothesis annotation (no id)", i+1))
			continue
		}
		in := Incoming{ID: "hypothesis:" + h.ID, Creator: h.User, Tags: h.Tags}
		if h.Text != "" {
			in.Texts = []TextBody{{Value: h.Text, Format: "text/markdown"}}
		}
		in.Created, _ = time.Parse(time.RFC3339, h.Created)
		if n := len(h.References); n > 0 {
			in.ReplyTo = "hypothesis:" + h.References[n-1]
			in.Motivations = []string{"replying"}
		}
		for _, t := range h.Target {
			if tgt, ok := parseTarget(t); ok {
				in.Targets = append(in.Targets, tgt)
			}
		}
		if len(in.Targets) == 0 && h.URI != "" {
			in.Targets = []IncomingTarget{{Source: h.URI}}
		}
		raw, _ := json.Marshal(h.Target)
		if len(h.Target) == 0 {
			raw, _ = json.Marshal(h.URI)
		}
		in.RawTarget = raw
		out = append(out, in)
	}
	return out, bad, nil
}

// ParseFile reads a file of annotations in either format: W3C when its
// JSON has a W3C type, Hypothesis otherwise.
func ParseFile(data []byte) ([]Incoming, []error, error) {
	if looksW3C(data) {
		return ParseAll(data)
	}
	return ParseHypothesis(data)
}

func looksW3C(data []byte) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) == nil {
		return len(obj["type"]) > 0
	}
	var arr []map[string]json.RawMessage
	if json.Unmarshal(data, &arr) == nil && len(arr) > 0 {
		return len(arr[0]["type"]) > 0
	}
	return false
}
