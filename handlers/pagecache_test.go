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
