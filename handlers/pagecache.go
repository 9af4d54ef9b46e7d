package handlers

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
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
	p := &cachedPage{key: key, body: body}
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
	if len(body) > pc.max/4 {
		return p
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if el, ok := pc.items[key]; ok {
		pc.size -= len(el.Value.(*cachedPage).body)
		pc.order.Remove(el)
	}
	pc.items[key] = pc.order.PushFront(p)
	pc.size += len(body)
	for pc.size > pc.max {
		last := pc.order.Back()
		old := last.Value.(*cachedPage)
		pc.order.Remove(last)
		delete(pc.items, old.key)
		pc.size -= len(old.body)
	}
	return p
}

// load returns the page cached under key or, on a miss, the page render
// produces, rendering it once however many requests miss the key together.
// render returns the body and the stamp nonce it holds (see put). The
// waiters share the result, error included: the key names everything the
// page depends on, so what one of them would render is what all would.
func (pc *pageCache) load(key string, render func() ([]byte, string, error)) (*cachedPage, error) {
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
	body, stampNonce, err := render()
	if err != nil {
		r.err = err
		return nil, err
	}
	r.page = pc.put(key, body, stampNonce)
	return r.page, nil
}

// contentETag names what the viewer sees: the body without the stamp
// nonce, which is new at every render. A write the viewer cannot see (a
// private, class or held note of someone else) changes the cache key and
// so renders the page again, but must not change its ETag: that would
// tell an outsider that something invisible happened.
func contentETag(body []byte, stampAt []int, nonceLen int) string {
	h := sha256.New()
	last := 0
	for _, at := range stampAt {
		h.Write(body[last:at])
		last = at + nonceLen
	}
	h.Write(body[last:])
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
}
