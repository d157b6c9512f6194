// Package orgs lists every account and role an IAM Identity Center user can
// reach, fast and politely enough for organisations of thousands of
// accounts: ListAccounts is paged 100 at a time, then ListAccountRoles runs
// for many accounts at once, all under one client-side rate limit (about 20
// requests a second by default, like the portal's own), and each call that
// is throttled (TooManyRequestsException, HTTP 429), fails with a 5xx or
// cannot connect is retried with full-jitter exponential backoff.
//
// It uses the sso portal client's ListAccounts and ListAccountRoles (spec
// §9.2) through the SDK's paginators, with the SDK's standard retryer but
// without its retry quota (ratelimit.None): the quota gives up after a few
// hundred throttles, which is exactly what happens to large organisations
// (spec §10, and the "HTTP 429 errors at 40 to 200 accounts").
//
// It is the boundary where the portal's answers enter the program, so it
// refuses an account id that is not 12 digits or a role name that is not an
// IAM role name: such values end up in ~/.aws/config, and one with a line
// break would add lines of its own (a credential_process) there.
//
// It does no terminal output (callers get a progress callback) and keeps no
// state between calls.
package orgs

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/ssocli/ssocli/internal/usererr"
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
}

// Stats counts what a Lister did.
type Stats struct {
	Requests  int64 // calls sent, retries included
	Throttled int64 // answers that were throttles (TooManyRequestsException, HTTP 429)
	Retried   int64 // calls sent again after a retryable failure
}

// Lister lists accounts and roles with one access token.
type Lister struct {
	api     API
	token   string
	o       Options
	limiter *rate.Limiter
	retryer aws.Retryer

	calls, requests, throttled atomic.Int64
	progressMu                 sync.Mutex
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
	l := &Lister{api: api, token: token, o: o, limiter: rate.NewLimiter(rate.Limit(o.Rate), o.Burst)}
	l.retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.RateLimiter = ratelimit.None
		so.MaxAttempts = o.MaxAttempts
		so.MaxBackoff = o.MaxDelay
		// Full jitter ("Exponential Backoff And Jitter", AWS Architecture
		// Blog): a random time in [0, min(cap, base·2^n)], throttles included
		// (the SDK's own backoff starts throttles at 1 s).
		so.Backoff = retry.BackoffDelayerFunc(func(attempt int, _ error) (time.Duration, error) {
			return rand.N(min(o.MaxDelay, o.BaseDelay<<min(attempt-1, 16))) + 1, nil
		})
	})
	return l
}

// Stats returns the counts so far.
func (l *Lister) Stats() Stats {
	req := l.requests.Load()
	return Stats{Requests: req, Throttled: l.throttled.Load(), Retried: req - l.calls.Load()}
}

var throttles = retry.IsErrorThrottles(retry.DefaultThrottles)

// callOptions sets the retryer of every call and adds the middleware that
// waits for the rate limit before each attempt, retries included, and counts
// what was sent.
func (l *Lister) callOptions(o *sso.Options) {
	o.Retryer = l.retryer
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("orgsCount",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				l.calls.Add(1)
				return next.HandleInitialize(ctx, in)
			}), middleware.Before); err != nil {
			return err
		}
		return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("orgsRateLimit",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if err := l.limiter.Wait(ctx); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				l.requests.Add(1)
				out, md, err := next.HandleFinalize(ctx, in)
				if err != nil && throttles.IsErrorThrottle(err).Bool() {
					l.throttled.Add(1)
				}
				return out, md, err
			}), "Retry", middleware.After)
	})
}

// Accounts returns every account the token can reach, sorted as the AWS CLI's menu (SortAccounts).
func (l *Lister) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	p := sso.NewListAccountsPaginator(l.api, &sso.ListAccountsInput{AccessToken: aws.String(l.token), MaxResults: aws.Int32(PageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, l.callOptions)
		if err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		for _, a := range page.AccountList {
			acct := Account{ID: aws.ToString(a.AccountId), Name: aws.ToString(a.AccountName), Email: aws.ToString(a.EmailAddress)}
			if !ValidAccountID(acct.ID) {
				return nil, usererr.New(usererr.CodeOther, fmt.Sprintf("The portal listed an account whose id is not 12 digits: %q (named %q).", acct.ID, acct.Name)).
					WithHint(badAnswerHint)
			}
			out = append(out, acct)
		}
	}
	SortAccounts(out)
	return out, nil
}

// Roles returns the role names the token has in one account, sorted as the
// AWS CLI's menu (SortRoles).
func (l *Lister) Roles(ctx context.Context, accountID string) ([]string, error) {
	var out []string
	p := sso.NewListAccountRolesPaginator(l.api, &sso.ListAccountRolesInput{
		AccessToken: aws.String(l.token), AccountId: aws.String(accountID), MaxResults: aws.Int32(PageSize),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, l.callOptions)
		if err != nil {
			return nil, fmt.Errorf("list roles of account %s: %w", accountID, err)
		}
		for _, r := range page.RoleList {
			name := aws.ToString(r.RoleName)
			if !ValidRoleName(name) {
				return nil, usererr.New(usererr.CodeOther, fmt.Sprintf("The portal listed a role in account %s whose name is not an IAM role name: %q.", accountID, name)).
					WithHint(badAnswerHint)
			}
			out = append(out, name)
		}
	}
	SortRoles(out)
	return out, nil
}

// The portal's values as AWS defines them: a 12-digit account id, and an IAM
// role name of 1 to 64 characters from [\w+=,.@-] (IAM CreateRole).
// Compiled on first use, not at init: every ssocli process links this
// package, and the {1,64} repeat alone costs ~900 allocations to compile.
var (
	accountID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
	roleName  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_+=,.@-]{1,64}$`) })
)

// ValidAccountID reports whether id is an AWS account id: 12 digits.
func ValidAccountID(id string) bool { return accountID().MatchString(id) }

// ValidRoleName reports whether name is an IAM role name.
func ValidRoleName(name string) bool { return roleName().MatchString(name) }

const badAnswerHint = "no AWS portal answers that: check the endpoint (AWS_ENDPOINT_URL, endpoint_url, HTTPS_PROXY, ca_bundle) that ssocli talks to"

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

// SortAccounts sorts accounts as the AWS CLI's menu does since 2.34.24
// (configure/sso_commands.py get_account_sorting_key): by the first of name,
// email and ID that the account has, lower-cased, those with only an ID
// last; ties keep the portal's order (Python's sort is stable).
func SortAccounts(a []Account) {
	key := func(x Account) (bool, string) {
		switch {
		case x.Name != "":
			return false, strings.ToLower(x.Name)
		case x.Email != "":
			return false, strings.ToLower(x.Email)
		}
		return true, strings.ToLower(x.ID)
	}
	slices.SortStableFunc(a, func(x, y Account) int {
		xo, xk := key(x)
		yo, yk := key(y)
		if xo != yo {
			if xo {
				return 1
			}
			return -1
		}
		return strings.Compare(xk, yk)
	})
}

// SortRoles sorts role names as the AWS CLI's menu does since 2.34.24: by
// the lower-cased name, ties in the portal's order.
func SortRoles(r []string) {
	slices.SortStableFunc(r, func(x, y string) int { return strings.Compare(strings.ToLower(x), strings.ToLower(y)) })
}
