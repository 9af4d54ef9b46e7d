package handlers

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"encoding/base64"
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
	return &pageCache{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
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
	sum := sha256.Sum256(body)
	p := &cachedPage{key: key, body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}
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
