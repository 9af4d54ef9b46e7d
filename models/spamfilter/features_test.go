package spamfilter

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestFeaturesCleanHTML(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    []string
		notWant []string
	}{
		{
			name:    "entities are decoded before words are cut",
			text:    "I&#39;m here &amp; there",
			want:    []string{"w:im", "w:here", "w:there", "b:im here"},
			notWant: []string{"w:39", "w:amp"},
		},
		{
			name:    "tags are removed and line breaks separate words",
			text:    "best<br />part<br/><b>ever</b>",
			want:    []string{"w:best", "w:part", "w:ever", "b:best part"},
			notWant: []string{"w:br", "w:b", "w:bestpart"},
		},
		{
			name:    "byte order mark and zero-width space vanish",
			text:    "free\u200Bmoney\uFEFF",
			want:    []string{"w:freemoney"},
			notWant: []string{"w:free"},
		},
		{
			name: "escaped markup stays text, a heart is not a tag",
			text: "&lt;3 I <3 you",
			want: []string{"w:3", "w:you", "b:i 3"},
		},
		{
			name:    "a link's target counts once with its visible text",
			text:    `<a href="https://bit.ly/x1?a=1&amp;b=2">bit.ly/x1</a> go`,
			want:    []string{"dom:bit.ly", "url-shortener", "links:1", "w:go", "first:<url>", "b:<url> go"},
			notWant: []string{"w:bit", "w:ly", "w:x1", "first:go"},
		},
		{
			name:    "a link is a word where it stands, and text cannot forge one",
			text:    "Check out http://example.com/a-b-c now ",
			want:    []string{"b:out <url>", "b:<url> now", "first:check", "links:1"},
			notWant: []string{"w:a", "b:now <url>"},
		},
		{
			name: "bare hosts are links, subdomains keep their domain",
			text: "see on.mtv.com/Ut15kX and www.example.org",
			want: []string{"host:on.mtv.com", "dom:mtv.com", "dom:example.org", "links:2"},
		},
		{
			name:    "an e-mail address is not a link",
			text:    "write to someone@example.com",
			want:    []string{"has-email", "links:0"},
			notWant: []string{"dom:example.com"},
		},
		{
			name:    "phone numbers, not counts of views",
			text:    "Call 08452 810075 now",
			want:    []string{"has-phone-number", "w:<num6>", "first:call"},
			notWant: []string{"w:08452"},
		},
		{
			name:    "thousands separators are not phone numbers",
			text:    "2.000.000.000 views, 1,000,000 likes",
			notWant: []string{"has-phone-number"},
		},
		{
			name: "shape of the message",
			text: "WIN A PRIZE NOW!!! Sooooo EASY",
			want: []string{"caps-ratio:high", "exclamations:3+", "elongated-word", "w:soo", "len:20-49"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Features(tt.text)
			for _, f := range tt.want {
				if !slices.Contains(got, f) {
					t.Errorf("missing %q in %q", f, got)
				}
			}
			for _, f := range tt.notWant {
				if slices.Contains(got, f) {
					t.Errorf("unexpected %q in %q", f, got)
				}
			}
		})
	}
}

func TestFeaturesSortedAndUnique(t *testing.T) {
	got := Features("spam spam spam, lovely spam! spam spam")
	if !sort.StringsAreSorted(got) {
		t.Errorf("not sorted: %q", got)
	}
	if len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Errorf("duplicates: %q", got)
	}
	if !slices.Equal(got, Features("spam spam spam, lovely spam! spam spam")) {
		t.Error("two calls disagree")
	}
}

func TestFeaturesBoundedKeys(t *testing.T) {
	// 30 letters of four bytes each is the longest word kept as it is.
	word := strings.Repeat("\U0001D49C", 30)
	long := strings.Repeat("abcdefghij", 50)
	text := word + " " + word + " " + long + " https://" + long + ".example.com/x"
	features := Features(text)
	if !slices.Contains(features, "w:<long-word>") {
		t.Errorf("an over-long word is not reduced to its shape: %q", features)
	}
	for _, f := range features {
		if len(f) >= 256 {
			t.Errorf("feature of %d bytes: %.40q...", len(f), f)
		}
	}
}

func TestBucket(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{{0, "0"}, {1, "1"}, {2, "2"}, {3, "3+"}, {9, "3+"}}
	for _, tt := range tests {
		if got := bucket(tt.n, 0, 1, 2, 3); got != tt.want {
			t.Errorf("bucket(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got := bucket(25, 0, 20, 50); got != "20-49" {
		t.Errorf("bucket(25) = %q, want 20-49", got)
	}
}
