package gost3410

import (
	"container/list"
	"sync"
)

// keyCache is a bounded LRU of per-public-key verification tables, keyed by
// the raw key. A key gets its table on its second verification, so keys
// that verify once (most ERP signers) cost no more than without the cache,
// while the gateway's key and busy signers' keys verify at table speed.
// Which keys are cached is public information, like the keys themselves.
type keyCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *keyEntry, most recent first
	byKey map[string]*list.Element
}

type keyEntry struct {
	raw string
	tab *oddTable // nil until the key is seen a second time
}

func newKeyCache(max int) *keyCache {
	return &keyCache{max: max, order: list.New(), byKey: make(map[string]*list.Element)}
}

// lookup returns the key's table, nil if it has none yet; build says that
// the key was seen before and the caller should build and store one.
func (kc *keyCache) lookup(raw []byte) (tab *oddTable, build bool) {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if el, ok := kc.byKey[string(raw)]; ok {
		kc.order.MoveToFront(el)
		e := el.Value.(*keyEntry)
		return e.tab, e.tab == nil
	}
	e := &keyEntry{raw: string(raw)}
	kc.byKey[e.raw] = kc.order.PushFront(e)
	for kc.order.Len() > kc.max {
		old := kc.order.Back()
		kc.order.Remove(old)
		delete(kc.byKey, old.Value.(*keyEntry).raw)
	}
	return nil, false
}

// store attaches a built table to the key, if the key is still cached.
func (kc *keyCache) store(raw []byte, tab *oddTable) {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if el, ok := kc.byKey[string(raw)]; ok {
		el.Value.(*keyEntry).tab = tab
	}
}

// len returns the number of keys remembered and how many have tables.
func (kc *keyCache) len() (keys, tables int) {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	for el := kc.order.Front(); el != nil; el = el.Next() {
		if el.Value.(*keyEntry).tab != nil {
			tables++
		}
	}
	return kc.order.Len(), tables
}
