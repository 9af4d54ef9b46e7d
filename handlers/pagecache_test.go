package handlers

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// After a write every reader misses the new key at once; they must wait for
// one render and share it, not each render the same page.
func TestPageCacheLoadRendersConcurrentMissesOnce(t *testing.T) {
	pc := newPageCache(1 << 20)
	var renders atomic.Int32
	release := make(chan struct{})
	render := func() ([]byte, string, error) {
		renders.Add(1)
		<-release
		return []byte("<p>page</p>"), "", nil
	}
	const readers = 16
	var wg sync.WaitGroup
	pages := make([]*cachedPage, readers)
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := pc.load("doc|1|2", render)
			if err != nil {
				t.Error(err)
			}
			pages[i] = p
		}()
	}
	// Let every reader reach the cache before the one render finishes.
	deadline := time.Now().Add(2 * time.Second)
	for renders.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Fatalf("%d renders of one key, want 1", n)
	}
	for i, p := range pages {
		if p == nil || p != pages[0] {
			t.Fatalf("reader %d got %p, want the shared page %p", i, p, pages[0])
		}
	}
	if _, ok := pc.get("doc|1|2"); !ok {
		t.Fatal("the shared render was not cached")
	}
}

// A failed render is not cached: the next reader renders again.
func TestPageCacheLoadDoesNotKeepFailures(t *testing.T) {
	pc := newPageCache(1 << 20)
	boom := errors.New("boom")
	if _, err := pc.load("k", func() ([]byte, string, error) { return nil, "", boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	p, err := pc.load("k", func() ([]byte, string, error) { return []byte("ok"), "", nil })
	if err != nil || string(p.body) != "ok" {
		t.Fatalf("second load = %v, %v", p, err)
	}
}

// loadMany: readers who miss overlapping sets of passages at once build
// each missing one once, in one call per reader for what it took on, and
// all get the same entries.
func TestPageCacheLoadManyBuildsEachMissOnce(t *testing.T) {
	pc := newPageCache(1 << 20)
	pc.put("p2", []byte("two"), "")
	var built sync.Map
	var calls atomic.Int32
	release := make(chan struct{})
	build := func(keys []string) func([]int) ([]*cachedPage, error) {
		return func(missing []int) ([]*cachedPage, error) {
			calls.Add(1)
			<-release
			out := make([]*cachedPage, len(missing))
			for j, i := range missing {
				if _, dup := built.LoadOrStore(keys[i], true); dup {
					t.Errorf("%s built twice", keys[i])
				}
				out[j] = &cachedPage{body: []byte("body of " + keys[i])}
			}
			return out, nil
		}
	}
	sets := [][]string{{"p1", "p2", "p3"}, {"p3", "p4"}, {"p1", "p4", "p5"}, {"p2"}}
	got := make([][]*cachedPage, len(sets))
	var wg sync.WaitGroup
	for i, keys := range sets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if got[i], err = pc.loadMany(keys, build(keys)); err != nil {
				t.Error(err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	for i, keys := range sets {
		for j, key := range keys {
			p := got[i][j]
			if p == nil || p.key != key {
				t.Fatalf("set %d, %s: got %+v", i, key, p)
			}
			if cached, ok := pc.get(key); !ok || cached != p {
				t.Errorf("%s: not the cached entry", key)
			}
		}
	}
	if n := calls.Load(); n > 3 {
		t.Errorf("%d builds, want at most one per reader that missed something", n)
	}
	// A failed build is no one's entry: the next reader builds again.
	boom := errors.New("boom")
	if _, err := pc.loadMany([]string{"p6"}, func([]int) ([]*cachedPage, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
	if _, ok := pc.get("p6"); ok {
		t.Fatal("a failed build was cached")
	}
}
