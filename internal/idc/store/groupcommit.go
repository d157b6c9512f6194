package store

import (
	"sync"

	bolt "go.etcd.io/bbolt"
)

// groupCommit commits concurrent write transactions together, the group
// commit of databases (leader and followers, no timer): a write that finds
// no commit running commits at once, alone; writes that arrive while a
// commit runs queue up, and the first of them, once that commit is done,
// commits all the queued ones in one transaction. On an idle server every
// write is its own transaction, as before; under load one bbolt commit (its
// page, freelist and meta writes, the bulk of a write's cost with NoSync)
// serves every writer that waited for it.
//
// Each caller returns only after the transaction holding its fn has been
// committed, so what a request was answered from is in the file (the
// kernel's page cache) before the answer goes out, and survives a SIGKILL
// of the server.
//
// A fn that fails must not take the others down with it: the transaction is
// rolled back, the failed fn is set aside and the rest are committed again
// without it; each set-aside fn then runs in a transaction of its own,
// which gives it the error it would have had alone. So a fn may run more
// than once, each time on the state it finds; the store's fns depend only
// on that state and on values fixed before the call.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*commitCall
	running bool // a leader is committing
}

type commitCall struct {
	fn   func(*bolt.Tx) error
	err  error
	lead bool          // woken to commit the queue, not because fn was committed
	done chan struct{} // one signal: committed, or lead
}

// do runs fn in a write transaction, committed (by tx) together with the
// fns of concurrent calls, and returns fn's error or the commit's.
func (g *groupCommit) do(tx func(func(*bolt.Tx) error) error, fn func(*bolt.Tx) error) error {
	c := &commitCall{fn: fn, done: make(chan struct{}, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if g.running {
		g.mu.Unlock()
		<-c.done
		if !c.lead {
			return c.err
		}
		g.mu.Lock()
	}
	g.running = true
	batch := g.queue
	g.queue = nil
	g.mu.Unlock()

	defer g.handOff()
	commitBatch(tx, batch)
	for _, o := range batch {
		if o != c {
			o.done <- struct{}{}
		}
	}
	return c.err
}

// handOff makes the first queued call the next leader, or ends the run.
func (g *groupCommit) handOff() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) == 0 {
		g.running = false
		return
	}
	next := g.queue[0]
	next.lead = true
	next.done <- struct{}{}
}

// commitBatch runs the fns of batch in one transaction and sets each
// call's err; a fn that fails is retried alone after the others.
func commitBatch(tx func(func(*bolt.Tx) error) error, batch []*commitCall) {
	if len(batch) == 1 {
		batch[0].err = tx(batch[0].fn)
		return
	}
	var alone []*commitCall
	for len(batch) > 0 {
		failed := -1
		err := tx(func(t *bolt.Tx) error {
			for i, c := range batch {
				if err := c.fn(t); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			// Committed, or the commit itself failed: the same for all.
			for _, c := range batch {
				c.err = err
			}
			break
		}
		alone = append(alone, batch[failed])
		batch = append(batch[:failed:failed], batch[failed+1:]...)
	}
	for _, c := range alone {
		c.err = tx(c.fn)
	}
}
