package ftsquery

import (
	"strings"
	"testing"
)

func TestParseWritesBothSyntaxes(t *testing.T) {
	cases := []struct{ in, sqlite, postgres string }{
		{"Treaty", "treaty", "'treaty'"},
		{`north "Atlantic treaty" -navy trea*`, `north "atlantic treaty" trea* NOT navy`, `'north' & ('atlantic' <-> 'treaty') & !'navy' & 'trea':*`},
		{"-navy north", "north NOT navy", "!'navy' & 'north'"},
		{"e-mail", `"e mail"`, "('e' <-> 'mail')"},
		{`'; DROP TABLE x; -- OR NEAR(a b) "`, `drop table x or "near a" b`, `'drop' & 'table' & 'x' & 'or' & ('near' <-> 'a') & 'b'`},
		// Lower case: FTS4 reads OR, NOT and NEAR as operators only in capitals.
		{"% _ *", "", ""},
	}
	for _, c := range cases {
		q := Parse(c.in)
		if got := q.SQLite(); got != c.sqlite {
			t.Errorf("Parse(%q).SQLite() = %q, want %q", c.in, got, c.sqlite)
		}
		if got := q.Postgres(); got != c.postgres {
			t.Errorf("Parse(%q).Postgres() = %q, want %q", c.in, got, c.postgres)
		}
	}
	if !Parse("-only -exclusions").Empty() || Parse("word").Empty() {
		t.Error("Empty: a query of only exclusions must be empty, one with a word must not")
	}
}

func TestSnippetMarksAndCutsAtWords(t *testing.T) {
	render := func(ps []Part) string {
		var b strings.Builder
		for _, p := range ps {
			if p.Match {
				b.WriteString("[" + p.Text + "]")
			} else {
				b.WriteString(p.Text)
			}
		}
		return b.String()
	}
	cases := []struct{ q, text, want string }{
		{"treaty", "The Treaties were signed; the treaty held.", "The [Treaties] were signed; the [treaty] held."},
		{"cafe", "Un Café noir.", "Un [Café] noir."},
		{"mush*", "Mushrooms, not mush-room.", "[Mushrooms], not [mush]-room."},
		{`"north atlantic" -navy`, "North Atlantic navy", "[North] [Atlantic] navy"},
		{"quokka", "one two three four five six seven eight quokka nine ten eleven twelve thirteen", "… six seven eight [quokka] nine ten eleven …"},
		{"absent", "one two three four five six seven eight", "one two three four five six seven …"},
	}
	for _, c := range cases {
		if got := render(Parse(c.q).Snippet(c.text, 7)); got != c.want {
			t.Errorf("Snippet(%q, %q) = %q, want %q", c.q, c.text, got, c.want)
		}
	}
}

func TestFoldTakesOffCaseAndAccents(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain ASCII Text", "plain ASCII Text"}, // porter folds ASCII case itself
		{"Le Café d’Émile", "le cafe d emile"},
		{"cafe\u0301", "cafe"}, // decomposed
		{"Łódź, Straße, Æsir, Øre", "lodz, strasse, aesir, ore"},
		{"naïve — coöperate", "naive   cooperate"},
		{"Ελληνικά МОСКВА", "ελληνικα москва"},
	}
	for _, c := range cases {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Parse(`ÉMILE "Café Noir" straß*`).SQLite(); got != `emile "cafe noir" strass*` {
		t.Errorf("the SQLite query is not folded: %q", got)
	}
	if got := Parse("ÉMILE").Postgres(); got != "'émile'" {
		t.Errorf("the PostgreSQL query is folded by its configuration, not here: %q", got)
	}
}
