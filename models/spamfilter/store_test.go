package spamfilter

import (
	"errors"
	"maps"
	"sync"
	"testing"
)

// snapshot is everything a MemoryStore holds.
type snapshot struct {
	counts         map[string]Counts
	spamDocs, hams int64
}

func snap(t *testing.T, s *MemoryStore) snapshot {
	t.Helper()
	spam, ham, err := s.Totals()
	if err != nil {
		t.Fatal(err)
	}
	counts := make(map[string]Counts)
	s.Each(func(f string, c Counts) { counts[f] = c })
	return snapshot{counts, spam, ham}
}

func (a snapshot) equal(b snapshot) bool {
	return a.spamDocs == b.spamDocs && a.hams == b.hams && maps.Equal(a.counts, b.counts)
}

func TestLearnUnlearnLeavesStoreAsItWas(t *testing.T) {
	store := NewMemoryStore()
	c := New(store)
	must(t, c.Learn("Check out my channel http://example.com", true))
	must(t, c.Learn("Lovely song, brings back memories", false))
	before := snap(t, store)

	texts := []struct {
		text string
		spam bool
	}{
		{"SUBSCRIBE to my channel!!! http://bit.ly/abc", true},
		{"Lovely song", false},
		{"Check out my channel http://example.com", true}, // already known
	}
	for _, x := range texts {
		must(t, c.Learn(x.text, x.spam))
	}
	if snap(t, store).equal(before) {
		t.Fatal("learning changed nothing")
	}
	for i := len(texts) - 1; i >= 0; i-- {
		must(t, c.Unlearn(texts[i].text, texts[i].spam))
	}
	if after := snap(t, store); !after.equal(before) {
		t.Errorf("store differs after learn+unlearn:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestUnlearnUnknownMessageFailsWithoutChange(t *testing.T) {
	store := NewMemoryStore()
	c := New(store)
	must(t, c.Learn("hello there", false))
	before := snap(t, store)
	err := c.Unlearn("hello there", true) // learnt as ham, not spam
	if !errors.Is(err, ErrNegativeCount) {
		t.Fatalf("Unlearn with the wrong label: err = %v, want ErrNegativeCount", err)
	}
	err = c.Unlearn("hello world", false) // "world" was never learnt
	if !errors.Is(err, ErrNegativeCount) {
		t.Fatalf("Unlearn of an unseen message: err = %v, want ErrNegativeCount", err)
	}
	if !snap(t, store).equal(before) {
		t.Error("a failed Unlearn changed the store")
	}
}

func TestMemoryStoreAddAndLookup(t *testing.T) {
	s := NewMemoryStore()
	must(t, s.Add([]string{"a", "b"}, true, 1))
	must(t, s.Add([]string{"b", "c"}, false, 1))
	got, err := s.Lookup([]string{"a", "b", "c", "d"})
	must(t, err)
	want := map[string]Counts{"a": {Spam: 1}, "b": {Spam: 1, Ham: 1}, "c": {Ham: 1}}
	if !maps.Equal(got, want) {
		t.Errorf("Lookup = %v, want %v", got, want)
	}
	spam, ham, _ := s.Totals()
	if spam != 1 || ham != 1 {
		t.Errorf("Totals = %d, %d, want 1, 1", spam, ham)
	}
}

func TestMemoryStoreConcurrentUse(t *testing.T) {
	s := NewMemoryStore()
	c := New(s)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if err := c.Learn("free money now", i%2 == 0); err != nil {
					t.Error(err)
					return
				}
				if _, _, err := c.Score("is this free?"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	spam, ham, _ := s.Totals()
	if spam != 200 || ham != 200 {
		t.Errorf("Totals = %d, %d, want 200, 200", spam, ham)
	}
	counts, _ := s.Lookup([]string{"w:free"})
	if counts["w:free"] != (Counts{Spam: 200, Ham: 200}) {
		t.Errorf("w:free = %v, want {200 200}", counts["w:free"])
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
