package anchor

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSegments(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		ranges []Range
		want   []wantSeg
	}{
		{"no ranges", "plain text", nil, []wantSeg{{"plain text", nil}}},
		{"empty text", "", []Range{{1, 0, 3}}, nil},
		{"one range in the middle", "abcdef", []Range{{7, 2, 4}},
			[]wantSeg{{"ab", nil}, {"cd", []uint{7}}, {"ef", nil}}},
		{"whole text", "abc", []Range{{1, 0, 3}}, []wantSeg{{"abc", []uint{1}}}},
		{"multibyte offsets are code points", "é🙂東京z", []Range{{1, 1, 3}},
			[]wantSeg{{"é", nil}, {"🙂東", []uint{1}}, {"京z", nil}}},
		{"overlapping", "abcdefgh", []Range{{1, 1, 5}, {2, 3, 7}},
			[]wantSeg{{"a", nil}, {"bc", []uint{1}}, {"de", []uint{1, 2}}, {"fg", []uint{2}}, {"h", nil}}},
		{"nested", "abcdefgh", []Range{{5, 0, 8}, {3, 2, 4}},
			[]wantSeg{{"ab", []uint{5}}, {"cd", []uint{3, 5}}, {"efgh", []uint{5}}}},
		{"adjacent ranges stay apart", "abcdef", []Range{{1, 0, 3}, {2, 3, 6}},
			[]wantSeg{{"abc", []uint{1}}, {"def", []uint{2}}}},
		{"identical ranges", "abcdef", []Range{{2, 1, 3}, {1, 1, 3}},
			[]wantSeg{{"a", nil}, {"bc", []uint{1, 2}}, {"def", nil}}},
		{"same ID twice merges", "abcdef", []Range{{4, 0, 2}, {4, 2, 4}},
			[]wantSeg{{"abcd", []uint{4}}, {"ef", nil}}},
		{"empty and reversed ranges ignored", "abcdef", []Range{{1, 2, 2}, {2, 4, 1}, {3, 9, 12}},
			[]wantSeg{{"abcdef", nil}}},
		{"ranges outside clamped", "abcdef", []Range{{1, -5, 2}, {2, 4, 100}},
			[]wantSeg{{"ab", []uint{1}}, {"cd", nil}, {"ef", []uint{2}}}},
		{"unsorted input", "abcdef", []Range{{2, 4, 6}, {1, 0, 2}},
			[]wantSeg{{"ab", []uint{1}}, {"cd", nil}, {"ef", []uint{2}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Segments(tt.text, tt.ranges)
			if !segmentsEqual(got, tt.want) {
				t.Errorf("Segments(%q, %v)\n got %+v\nwant %+v", tt.text, tt.ranges, got, tt.want)
			}
		})
	}
}

// wantSeg is a Segment as the tests write it: its text and ids (its place
// follows from the texts before it, which FuzzSegments checks).
type wantSeg struct {
	text string
	ids  []uint
}

func segmentsEqual(a []Segment, b []wantSeg) bool {
	return slices.EqualFunc(a, b, func(x Segment, y wantSeg) bool {
		return x.Text == y.text && slices.Equal(x.IDs, y.ids)
	})
}

// TestSegmentsFromLocate ties Locate to Segments the way the passage view
// does: selector positions made relative to the passage.
func TestSegmentsFromLocate(t *testing.T) {
	text, passages := build("Intro ✓.", "Le café 🙂 est chaud, le café est bon.")
	p := passages[1]
	a, err := Locate(text, passages, 2, "café 🙂 est", -1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Locate(text, passages, 2, "le café", p.Start+20)
	if err != nil {
		t.Fatal(err)
	}
	segs := Segments(Slice(text, p.Start, p.End), []Range{
		{1, a.Position.Start - p.Start, a.Position.End - p.Start},
		{2, b.Position.Start - p.Start, b.Position.End - p.Start},
	})
	want := []wantSeg{{"Le ", nil}, {"café 🙂 est", []uint{1}}, {" chaud, ", nil}, {"le café", []uint{2}}, {" est bon.", nil}}
	if !segmentsEqual(segs, want) {
		t.Errorf("got %+v, want %+v", segs, want)
	}
}

func FuzzSegments(f *testing.F) {
	f.Add("é🙂東京 text", 1, 3, 2, 6)
	f.Add("", 0, 0, 0, 0)
	f.Add("abc", -4, 99, 2, 1)
	f.Add("\xff\xfeinvalid", 0, 2, 1, 5)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 int) {
		ranges := []Range{{1, s1, e1}, {2, s2, e2}, {3, s1, e2}}
		segs := Segments(text, ranges)
		var b strings.Builder
		for i, s := range segs {
			if s.Text == "" {
				t.Fatalf("segment %d is empty", i)
			}
			if i > 0 && slices.Equal(s.IDs, segs[i-1].IDs) {
				t.Fatalf("segments %d and %d carry the same IDs %v", i-1, i, s.IDs)
			}
			b.WriteString(s.Text)
		}
		if b.String() != text {
			t.Fatalf("concatenated segments %q != text %q", b.String(), text)
		}
		// Every code point is covered by exactly the ranges containing it.
		n := utf8.RuneCountInString(text)
		pos := 0
		for _, s := range segs {
			if s.Start != pos || s.End != pos+utf8.RuneCountInString(s.Text) {
				t.Fatalf("segment %q lies at %d-%d, want %d-%d", s.Text, s.Start, s.End, pos, pos+utf8.RuneCountInString(s.Text))
			}
			for i := range utf8.RuneCountInString(s.Text) {
				var want []uint
				for _, r := range ranges {
					if max(r.Start, 0) <= pos+i && pos+i < min(r.End, n) {
						want = append(want, r.ID)
					}
				}
				if !slices.Equal(s.IDs, want) {
					t.Fatalf("code point %d: IDs %v, want %v", pos+i, s.IDs, want)
				}
			}
			pos += utf8.RuneCountInString(s.Text)
		}
	})
}
