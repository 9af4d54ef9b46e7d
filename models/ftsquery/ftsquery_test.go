package ftsquery

import "testing"

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
