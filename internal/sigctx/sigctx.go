// Package sigctx is the process's interrupt context: a context.Context that
// is cancelled by the interrupt and terminate signals, and that asks the
// runtime for those signals only when something first waits on it.
//
// signal.NotifyContext at the start of main costs a Go process about as much
// as the whole cached-credential path (issue 14, BENCHMARKS.md): the signal
// loop's goroutine and its thread, the goroutine that watches the channel and
// their page faults, 0.6-1.0 ms of a 2 ms process. A command that answers from
// the caches never waits, so it never pays; one that makes a network call,
// takes a lock, prompts or sleeps calls Done (the http transport, the SDK,
// filelock, prompt and every select do) and from then on a signal cancels the
// context as signal.NotifyContext would.
//
// Until the context is armed the signals keep their default action: the
// process ends at once, by the signal, as any process that is not waiting
// does. Err reports nil then, since no signal can have been caught.
package sigctx

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"time"
)

// Context is cancelled by the first of its signals that arrives after it was
// armed. The zero value is not usable: call New.
type Context struct {
	sigs  []os.Signal
	once  sync.Once
	armed atomic.Bool
	ctx   context.Context
	stop  context.CancelFunc
}

// New returns a context for sigs that is not armed yet.
func New(sigs ...os.Signal) *Context {
	return &Context{sigs: sigs}
}

func (c *Context) arm() context.Context {
	c.once.Do(func() {
		c.ctx, c.stop = signal.NotifyContext(context.Background(), c.sigs...)
		c.armed.Store(true)
	})
	return c.ctx
}

// Armed reports whether anything has waited on the context, so that its
// signals are caught.
func (c *Context) Armed() bool { return c.armed.Load() }

// Stop releases the signals, if they were asked for; the context stays as it
// is.
func (c *Context) Stop() {
	if c.armed.Load() {
		c.stop()
	}
}

// Deadline reports no deadline.
func (c *Context) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done arms the context and returns the channel its signals close.
func (c *Context) Done() <-chan struct{} { return c.arm().Done() }

// Err is nil until the context is armed, then that of signal.NotifyContext's
// context: context.Canceled once a signal arrived.
func (c *Context) Err() error {
	if !c.armed.Load() {
		return nil
	}
	return c.ctx.Err()
}

// Value holds no values.
func (c *Context) Value(any) any { return nil }

// AfterFunc arms the context and runs f in its own goroutine once a signal
// arrives. context.WithCancel and friends use it for children of this
// context, instead of a goroutine each that waits on Done.
func (c *Context) AfterFunc(f func()) (stop func() bool) {
	return context.AfterFunc(c.arm(), f)
}

// String names the context in the form the context package uses.
func (c *Context) String() string { return "sigctx.Context" }

// Arm makes ctx catch its signals from now on, if it is a Context; other
// contexts are left as they are. Call it before showing a prompt or starting
// a wait that does not select on ctx.Done at once, so that a Ctrl-C typed
// the moment the prompt shows cancels ctx instead of ending the process by
// the signal's default action.
func Arm(ctx context.Context) { _ = ctx.Done() }
