// Package orgs lists every account and role an IAM Identity Center user can
// reach, fast and politely enough for organisations of thousands of
// accounts: ListAccounts is paged 100 at a time, then ListAccountRoles runs
// for many accounts at once, all under one client-side rate limit (about 20
// requests a second by default, like the portal's own), and each call that
// is throttled (TooManyRequestsException, HTTP 429), fails with a 5xx or
// cannot connect is retried with full-jitter exponential backoff.
//
// It uses the sso portal client's ListAccounts and ListAccountRoles (spec
// §9.2) with the SDK's own retries turned off, because the SDK's standard
// retryer gives up once its retry quota is spent (a few hundred throttles),
// which is exactly what happens to large organisations (spec §10, and the
// issue's "HTTP 429 errors at 40 to 200 accounts").
//
// It does no terminal output (callers get a progress callback) and keeps no
// state between calls.
package orgs

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"
)

// DefaultRate is the default request rate, the portal's documented-by-behaviour
// throttle of about 20 calls a second.
const DefaultRate = 20

// PageSize is the max_result of every List call (the API's maximum, spec §9.2).
const PageSize = 100

// API is the part of the sso client this package calls.
type API interface {
	ListAccounts(ctx context.Context, in *sso.ListAccountsInput, opts ...func(*sso.Options)) (*sso.ListAccountsOutput, error)
	ListAccountRoles(ctx context.Context, in *sso.ListAccountRolesInput, opts ...func(*sso.Options)) (*sso.ListAccountRolesOutput, error)
}

// Account is one account with the roles the user has in it.
type Account struct {
	ID    string
	Name  string
	Email string
	Roles []string // sorted
}

// Options tune a Lister; zero values take the defaults.
type Options struct {
	// Rate is the most requests a second (default DefaultRate); Burst how
	// many may go at once after a pause (default 1).
	Rate  float64
	Burst int
	// Concurrency is how many accounts' roles are listed at once (default 8).
	Concurrency int
	// MaxAttempts is how often one call is tried before giving up (default 10).
	MaxAttempts int
	// BaseDelay and MaxDelay bound the backoff (defaults 100 ms and 5 s).
	BaseDelay, MaxDelay time.Duration
	// Progress, when set, is called after each account's roles are listed
	// with how many accounts are done and their total. It may be called from
	// several goroutines, never at once.
	Progress func(done, total int)
	// Sleep waits for a backoff; nil means a timer (tests may shorten it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Stats counts what a Lister did.
type Stats struct {
	Requests  int64 // calls sent, retries included
	Throttled int64 // answers that were TooManyRequestsException
	Retried   int64 // calls sent again after a retryable failure
}

// Lister lists accounts and roles with one access token.
type Lister struct {
	api     API
	token   string
	o       Options
	limiter *rate.Limiter

	requests, throttled, retried atomic.Int64
	progressMu                   sync.Mutex
}

// New returns a Lister for the token (never logged or put into errors).
func New(api API, token string, o Options) *Lister {
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Burst <= 0 {
		o.Burst = 1
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = 100 * time.Millisecond
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 5 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return &Lister{api: api, token: token, o: o, limiter: rate.NewLimiter(rate.Limit(o.Rate), o.Burst)}
}

// Stats returns the counts so far.
func (l *Lister) Stats() Stats {
	return Stats{Requests: l.requests.Load(), Throttled: l.throttled.Load(), Retried: l.retried.Load()}
}

// noSDKRetries turns off the client's retryer for one call: this package
// retries itself, without the SDK's retry quota.
func noSDKRetries(o *sso.Options) { o.Retryer = aws.NopRetryer{} }

// Accounts returns every account the token can reach, sorted by name, then ID.
func (l *Lister) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	var next *string
	for {
		var page *sso.ListAccountsOutput
		err := l.call(ctx, func() error {
			var err error
			page, err = l.api.ListAccounts(ctx, &sso.ListAccountsInput{
				AccessToken: aws.String(l.token), MaxResults: aws.Int32(PageSize), NextToken: next,
			}, noSDKRetries)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		for _, a := range page.AccountList {
			out = append(out, Account{ID: aws.ToString(a.AccountId), Name: aws.ToString(a.AccountName), Email: aws.ToString(a.EmailAddress)})
		}
		if aws.ToString(page.NextToken) == "" {
			break
		}
		next = page.NextToken
	}
	SortAccounts(out)
	return out, nil
}

// Roles returns the role names the token has in one account, sorted.
func (l *Lister) Roles(ctx context.Context, accountID string) ([]string, error) {
	var out []string
	var next *string
	for {
		var page *sso.ListAccountRolesOutput
		err := l.call(ctx, func() error {
			var err error
			page, err = l.api.ListAccountRoles(ctx, &sso.ListAccountRolesInput{
				AccessToken: aws.String(l.token), AccountId: aws.String(accountID), MaxResults: aws.Int32(PageSize), NextToken: next,
			}, noSDKRetries)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list roles of account %s: %w", accountID, err)
		}
		for _, r := range page.RoleList {
			out = append(out, aws.ToString(r.RoleName))
		}
		if aws.ToString(page.NextToken) == "" {
			break
		}
		next = page.NextToken
	}
	sort.Strings(out)
	return out, nil
}

// All returns every account with its roles, sorted by account name. The
// first error that survives its retries stops the listing.
func (l *Lister) All(ctx context.Context) ([]Account, error) {
	accts, err := l.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	l.progress(0, len(accts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(l.o.Concurrency)
	var done atomic.Int64
	for i := range accts {
		g.Go(func() error {
			roles, err := l.Roles(gctx, accts[i].ID)
			if err != nil {
				return err
			}
			accts[i].Roles = roles
			l.progress(int(done.Add(1)), len(accts))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return accts, nil
}

func (l *Lister) progress(done, total int) {
	if l.o.Progress == nil {
		return
	}
	l.progressMu.Lock()
	defer l.progressMu.Unlock()
	l.o.Progress(done, total)
}

// call runs one API call under the rate limit, retrying what is worth
// retrying with full-jitter exponential backoff ("Exponential Backoff And
// Jitter", AWS Architecture Blog: sleep a random time in [0, min(cap, base·2^n)]).
func (l *Lister) call(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; attempt < l.o.MaxAttempts; attempt++ {
		if attempt > 0 {
			l.retried.Add(1)
			d := min(l.o.MaxDelay, l.o.BaseDelay<<min(attempt-1, 16))
			if serr := l.o.Sleep(ctx, rand.N(d)+1); serr != nil {
				return serr
			}
		}
		if werr := l.limiter.Wait(ctx); werr != nil {
			return werr
		}
		l.requests.Add(1)
		err = fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !l.retryable(err) {
			return err
		}
	}
	return fmt.Errorf("giving up after %d attempts: %w", l.o.MaxAttempts, err)
}

// retryable reports whether err is a throttle, a server error or a
// connection failure, and counts throttles.
func (l *Lister) retryable(err error) bool {
	var tooMany *ssotypes.TooManyRequestsException
	if errors.As(err, &tooMany) {
		l.throttled.Add(1)
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "TooManyRequestsException" || ae.ErrorCode() == "ThrottlingException") {
		l.throttled.Add(1)
		return true
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		if s := re.HTTPStatusCode(); s == 429 {
			l.throttled.Add(1)
			return true
		} else if s >= 500 {
			return true
		}
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// SortAccounts sorts accounts by name, then ID (the AWS CLI sorts its menus
// since 2.34.24, spec §0).
func SortAccounts(a []Account) {
	sort.SliceStable(a, func(i, j int) bool {
		if a[i].Name != a[j].Name {
			return a[i].Name < a[j].Name
		}
		return a[i].ID < a[j].ID
	})
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
