package handlers

import (
	"bytes"
	"container/list"
	"errors"
	"strconv"
	"sync"

	"github.com/cespare/xxhash/v2"

	"margin/models"
)

// pageCache keeps rendered pages by a key that names everything the page
// depends on (the document's version counter read from the database, the
// viewer and their state), so an entry is never stale: a write on any
// instance changes the key of the next read everywhere. It is bounded by
// total bytes and evicts the least recently used page.
type pageCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List
	items map[string]*list.Element
	// rendering holds the renders in progress by key, so that readers who
	// miss the same key at once (every reader after a write) wait for one
	// render and share it instead of each rendering the same page.
	rendering map[string]*pageRender
}

// errPageRenderAbandoned is what waiters get when the render they waited
// for panicked: the panic itself goes to the request that rendered.
var errPageRenderAbandoned = errors.New("page render abandoned")

type pageRender struct {
	done chan struct{}
	page *cachedPage
	err  error
}

type cachedPage struct {
	key  string
	body []byte
	etag string
	// stampNonce stands in the body for the form stamps, which must be
	// those of the moment the page is served (see servePage); stampAt
	// holds where, so serving writes around them without copying the page.
	stampNonce string
	stampAt    []int
	// size is what the entry holds, body and the parts below.
	size int
	// A reading view's passage: frag, when it is shared between readers
	// (its body is then empty), and the tally of its notes for the filter
	// bar. A page's shell (see documentShell): shell.
	frag  *sharedFragment
	tally []models.NoteTally
	shell *pageShell
	// A revision's passages as of a document version (see passagesAt).
	passages []models.Passage
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{max: maxBytes, order: list.New(), items: map[string]*list.Element{},
		rendering: map[string]*pageRender{}}
}

func (pc *pageCache) get(key string) (*cachedPage, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	el, ok := pc.items[key]
	if !ok {
		return nil, false
	}
	pc.order.MoveToFront(el)
	return el.Value.(*cachedPage), true
}

func (pc *pageCache) put(key string, body []byte, stampNonce string) *cachedPage {
	return pc.store(newCachedPage(key, body, stampNonce))
}

// newCachedPage is a rendered page, its ETag and where its stamps go.
func newCachedPage(key string, body []byte, stampNonce string) *cachedPage {
	p := &cachedPage{key: key, body: body, size: len(body)}
	if stampNonce != "" {
		nonce := []byte(stampNonce)
		for at := 0; ; at += len(nonce) {
			i := bytes.Index(body[at:], nonce)
			if i < 0 {
				break
			}
			at += i
			p.stampAt = append(p.stampAt, at)
		}
		if p.stampAt != nil {
			p.stampNonce = stampNonce
		}
	}
	p.etag = contentETag(body, p.stampAt, len(p.stampNonce))
	return p
}

// store keeps p under p.key, unless it is too large to be worth it.
func (pc *pageCache) store(p *cachedPage) *cachedPage {
	if p.size > pc.max/4 {
		return p
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if el, ok := pc.items[p.key]; ok {
		pc.size -= el.Value.(*cachedPage).size
		pc.order.Remove(el)
	}
	pc.items[p.key] = pc.order.PushFront(p)
	pc.size += p.size
	for pc.size > pc.max {
		last := pc.order.Back()
		old := last.Value.(*cachedPage)
		pc.order.Remove(last)
		delete(pc.items, old.key)
		pc.size -= old.size
	}
	return p
}

// load returns the page cached under key or, on a miss, the page render
// produces, rendering it once however many requests miss the key together.
// render returns the body and the stamp nonce it holds (see put). The
// waiters share the result, error included: the key names everything the
// page depends on, so what one of them would render is what all would.
func (pc *pageCache) load(key string, render func() ([]byte, string, error)) (*cachedPage, error) {
	return pc.loadEntry(key, func() (*cachedPage, error) {
		body, stampNonce, err := render()
		if err != nil {
			return nil, err
		}
		return newCachedPage(key, body, stampNonce), nil
	})
}

// loadEntry is load for entries that build returns whole (its key is key).
func (pc *pageCache) loadEntry(key string, build func() (*cachedPage, error)) (*cachedPage, error) {
	pc.mu.Lock()
	if el, ok := pc.items[key]; ok {
		pc.order.MoveToFront(el)
		pc.mu.Unlock()
		return el.Value.(*cachedPage), nil
	}
	if r, ok := pc.rendering[key]; ok {
		pc.mu.Unlock()
		<-r.done
		return r.page, r.err
	}
	r := &pageRender{done: make(chan struct{})}
	pc.rendering[key] = r
	pc.mu.Unlock()
	defer func() {
		if r.page == nil && r.err == nil {
			r.err = errPageRenderAbandoned
		}
		pc.mu.Lock()
		delete(pc.rendering, key)
		pc.mu.Unlock()
		close(r.done)
	}()
	p, err := build()
	if err != nil {
		r.err = err
		return nil, err
	}
	p.key = key
	r.page = pc.store(p)
	return r.page, nil
}

// loadMany is loadEntry for many keys at once: build gets the indexes of
// the keys missing from the cache that no other request is building, and
// returns their entries in that order, so that one query can read what
// they all need; keys another request is building are waited for.
func (pc *pageCache) loadMany(keys []string, build func(missing []int) ([]*cachedPage, error)) ([]*cachedPage, error) {
	out := make([]*cachedPage, len(keys))
	waits := make([]*pageRender, len(keys))
	var owned []int
	var mine []*pageRender
	pc.mu.Lock()
	for i, key := range keys {
		if el, ok := pc.items[key]; ok {
			pc.order.MoveToFront(el)
			out[i] = el.Value.(*cachedPage)
			continue
		}
		if r, ok := pc.rendering[key]; ok {
			waits[i] = r
			continue
		}
		r := &pageRender{done: make(chan struct{})}
		pc.rendering[key] = r
		owned, mine = append(owned, i), append(mine, r)
	}
	pc.mu.Unlock()
	if len(owned) > 0 {
		err := pc.buildOwned(keys, owned, mine, build)
		if err != nil {
			return nil, err
		}
		for j, i := range owned {
			out[i] = mine[j].page
		}
	}
	for i, r := range waits {
		if r == nil {
			continue
		}
		<-r.done
		if r.err != nil {
			return nil, r.err
		}
		out[i] = r.page
	}
	return out, nil
}

// buildOwned builds the entries this request took on, and tells whoever
// waits for them, error (or panic) included.
func (pc *pageCache) buildOwned(keys []string, owned []int, mine []*pageRender, build func([]int) ([]*cachedPage, error)) error {
	defer func() {
		pc.mu.Lock()
		for j, i := range owned {
			if mine[j].page == nil && mine[j].err == nil {
				mine[j].err = errPageRenderAbandoned
			}
			delete(pc.rendering, keys[i])
		}
		pc.mu.Unlock()
		for _, r := range mine {
			close(r.done)
		}
	}()
	built, err := build(owned)
	if err == nil && len(built) != len(owned) {
		err = errors.New("page cache: build returned the wrong number of entries")
	}
	if err != nil {
		for _, r := range mine {
			r.err = err
		}
		return err
	}
	for j, i := range owned {
		built[j].key = keys[i]
		mine[j].page = pc.store(built[j])
	}
	return nil
}

// contentETag names what the viewer sees: the body without the stamp
// nonce, which is new at every render. A write the viewer cannot see (a
// private, class or held note of someone else) changes the cache key and
// so renders the page again, but must not change its ETag: that would
// tell an outsider that something invisible happened.
//
// The hash is xxhash, not a cryptographic one: it is taken over every page
// put together (about 100 KB each, a few microseconds instead of some
// sixty), names only what the viewer already has, and is the same on every
// instance.
func contentETag(body []byte, stampAt []int, nonceLen int) string {
	h := xxhash.New()
	last := 0
	for _, at := range stampAt {
		h.Write(body[last:at])
		last = at + nonceLen
	}
	h.Write(body[last:])
	return `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
}
