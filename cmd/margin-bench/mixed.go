package main

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// mixedRuns is what the mixed scenario measured: the readers and the
// writers each alone, then both at once, in alternating slices of the
// same run, so the ratios compare like with like on a shared machine.
type mixedRuns struct {
	readAlone, writeAlone *result
	read, write           *result
}

// mixed measures reading while others write: readers (half anonymous, half
// logged in, each its own session) on the document while writers post to
// it, beside the same readers and the same writers alone.
func (b *bench) mixed(newest *newestAnnotation) (*mixedRuns, error) {
	o := b.opts
	anon := o.mixedReaders / 2
	readTr := newTransport(o.mixedReaders)
	users, err := b.loggedIn(readTr, o.mixedReaders-anon)
	if err != nil {
		return nil, err
	}
	// The same clients read alone and while others write, under two names,
	// so the server's side of each shows apart in a CPU profile.
	clients := users
	for range anon {
		clients = append(clients, newClient(readTr))
	}
	var readers, lonelyReaders []request
	for _, c := range clients {
		readers = append(readers, getLoop(c, b.docURL, "mixed read", 0))
		lonelyReaders = append(lonelyReaders, getLoop(c, b.docURL, "mixed read alone", 0))
	}
	writers, err := b.writers(o.mixedWriters, 200, newest)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(b.progress, "running mixed: %d readers (%d logged in) alone, %d writers alone, then both at once, %s each, alternating every %s …\n",
		len(readers), len(users), len(writers), o.duration, o.slice)
	timedReadAlone := b.timed("mixed read alone", lonelyReaders)
	// The readers alone are timed on a page at rest: each first reads
	// once, untimed, the document as the writers' last slice left it.
	readAlone := func(d time.Duration) *result {
		var wg sync.WaitGroup
		for _, r := range lonelyReaders {
			wg.Add(1)
			go func() { defer wg.Done(); r() }()
		}
		wg.Wait()
		return timedReadAlone(d)
	}
	writeAlone := b.timed("mixed write alone", writers)
	readMixed, writeMixed := b.timed("mixed read", readers), b.timed("mixed write", writers)
	both := func(d time.Duration) []*result {
		var r, w *result
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); r = readMixed(d) }()
		go func() { defer wg.Done(); w = writeMixed(d) }()
		wg.Wait()
		return []*result{r, w}
	}
	res := interleaveAll([]func(time.Duration) []*result{alone(readAlone), alone(writeAlone), both}, o.duration, o.slice)
	return &mixedRuns{readAlone: res[0], writeAlone: res[1], read: res[2], write: res[3]}, nil
}

// alone is a side that measures one thing.
func alone(f func(time.Duration) *result) func(time.Duration) []*result {
	return func(d time.Duration) []*result { return []*result{f(d)} }
}

// interleaveAll runs each side in turn, a slice at a time, until each has
// had d (slice <= 0: one after the other), and merges what each measured;
// a side may measure several things at once (readers and writers together).
func interleaveAll(sides []func(time.Duration) []*result, d, slice time.Duration) []*result {
	if slice <= 0 || slice >= d {
		slice = d
	}
	var merged [][]*result
	for done := time.Duration(0); done < d; done += slice {
		step := min(slice, d-done)
		for i, side := range sides {
			got := side(step)
			if merged == nil || len(merged) <= i {
				merged = append(merged, got)
				continue
			}
			for j, r := range got {
				merged[i][j].add(r)
			}
		}
	}
	var out []*result
	for _, rs := range merged {
		for _, r := range rs {
			slices.Sort(r.latency)
			out = append(out, r)
		}
	}
	return out
}
