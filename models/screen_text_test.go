package models

import "testing"

func TestCountLinks(t *testing.T) {
	for _, tc := range []struct {
		body string
		want int
	}{
		{"no links at all", 0},
		{"see https://example.org/a and [the same](https://example.org/a/)", 1},
		{"[one](http://a.example) <https://b.example> www.c.example and https://d.example.", 4},
		{"HTTPS://A.EXAMPLE/x, https://a.example/x!", 1},
		{"mail me at someone@example.org", 0},
	} {
		if got := countLinks(tc.body); got != tc.want {
			t.Errorf("%q: %d links, want %d", tc.body, got, tc.want)
		}
	}
}
