package creds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/usererr"
)

// botocore's ProcessProvider (docs/credential-chain.md §6). The SDK's
// processcreds runs the line through sh -c; botocore splits it itself and
// runs no shell, so this does too. Unlike botocore it bounds the run, and it
// passes the command's stderr through (a command may talk to the person)
// while keeping its end for the error message. Nothing is cached.

// DefaultProcessTimeout bounds a credential_process run (the AWS SDK for Go's
// processcreds default).
const DefaultProcessTimeout = time.Minute

// maxProcessOutput bounds what is read from a credential_process's stdout.
const maxProcessOutput = 1 << 20

func (r *resolver) process(profile string) (*node, error) {
	p := r.profile(profile)
	line, ok := p.Get("credential_process")
	if !ok {
		return nil, nil
	}
	argv, err := awsconfig.SplitCommand(line)
	if err != nil {
		return nil, usererr.Wrap(usererr.CodeOther, "No closing quotation", err).
			WithHint("fix the quotes of credential_process in the profile " + profile)
	}
	if len(argv) == 0 {
		return nil, usererr.New(usererr.CodeOther, fmt.Sprintf(`The credential_process of the profile "%s" is empty.`, profile)).
			WithHint("give credential_process a command, or remove the key")
	}
	account := p.Values["aws_account_id"]
	return &node{method: "custom-process", profile: profile, fetch: func(ctx context.Context) (*Credentials, error) {
		c, err := r.runProcess(ctx, profile, argv, account)
		if err == nil && !c.Expiration.IsZero() && c.Expiration.Sub(r.m.now()) < RoleWindow {
			// botocore's advisory refresh: credentials with less than 15
			// minutes left are fetched once more right away; if that fails,
			// the first ones do while more than 10 minutes are left.
			again, err2 := r.runProcess(ctx, profile, argv, account)
			switch {
			case err2 == nil:
				c = again
			case c.Expiration.Sub(r.m.now()) < 10*time.Minute:
				err = err2
			}
		}
		return c, loadErr(err)
	}}, nil
}

func (r *resolver) runProcess(ctx context.Context, profile string, argv []string, account string) (*Credentials, error) {
	timeout := r.o.ProcessTimeout
	if timeout <= 0 {
		timeout = DefaultProcessTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if r.o.Environ != nil {
		cmd.Env = r.o.Environ()
	}
	var stdout limitedBuffer
	stdout.max = maxProcessOutput
	tail := &tailBuffer{max: 4096}
	cmd.Stdout = &stdout
	if r.o.ProcessStderr != nil {
		cmd.Stderr = io.MultiWriter(r.o.ProcessStderr, tail)
	} else {
		cmd.Stderr = tail
	}
	// A child the command left behind may hold the pipes open: stop waiting
	// for them shortly after the command itself ended or was killed.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	prog := argv[0]
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, retrievalError("custom-process", fmt.Sprintf("the command %s did not finish within %v", prog, timeout)).
			WithHint(fmt.Sprintf("fix the credential_process of the profile %s: it must print its JSON and exit", profile))
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, retrievalError("custom-process", tail.String()).
				WithHint(fmt.Sprintf("the credential_process of the profile %s (%s) exited with %s", profile, prog, ee.ProcessState))
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, pyOSError(err, prog).WithHint(fmt.Sprintf("fix the credential_process of the profile %s: %s cannot be run", profile, prog))
	}
	return parseProcessOutput(stdout.Bytes(), prog, account)
}

// parseProcessOutput validates the Version 1 JSON with botocore's messages.
func parseProcessOutput(out []byte, prog, account string) (*Credentials, error) {
	hint := "the output of " + prog + " must be the credential_process JSON: {\"Version\": 1, \"AccessKeyId\": …, \"SecretAccessKey\": …}"
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, usererr.Wrap(usererr.CodeOther, jsonDecodeMessage(out, err), err).WithHint(hint)
	}
	if dec.More() {
		return nil, usererr.New(usererr.CodeOther, "Extra data: the credential_process printed more than one JSON value").WithHint(hint)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, usererr.New(usererr.CodeOther, fmt.Sprintf("'%s' object has no attribute 'get'", pyTypeName(v))).WithHint(hint)
	}
	version, ok := obj["Version"]
	if !ok {
		version = "<Version key not provided>"
	}
	if !isPyOne(version) {
		return nil, retrievalError("custom-process", fmt.Sprintf("Unsupported version '%s' for credential process provider, supported versions: 1", pyStr(version))).WithHint(hint)
	}
	str := func(key string, required bool) (string, error) {
		x, ok := obj[key]
		if !ok || x == nil {
			if required {
				return "", retrievalError("custom-process", fmt.Sprintf("Missing required key in response: '%s'", key)).WithHint(hint)
			}
			return "", nil
		}
		s, ok := x.(string)
		if !ok {
			return "", retrievalError("custom-process", fmt.Sprintf("%s in the response is not a string", key)).WithHint(hint)
		}
		return s, nil
	}
	c := &Credentials{}
	var err error
	if c.AccessKeyID, err = str("AccessKeyId", true); err != nil {
		return nil, err
	}
	if c.SecretAccessKey, err = str("SecretAccessKey", true); err != nil {
		return nil, err
	}
	if c.SessionToken, err = str("SessionToken", false); err != nil {
		return nil, err
	}
	exp, err := str("Expiration", false)
	if err != nil {
		return nil, err
	}
	if exp != "" {
		if c.Expiration, err = parseDate(exp); err != nil {
			return nil, err
		}
	}
	if c.AccountID, err = str("AccountId", false); err != nil {
		return nil, err
	}
	if c.AccountID == "" {
		c.AccountID = account
	}
	return c, nil
}

// jsonDecodeMessage words the common case as Python's json module does
// ("Expecting value: line 1 column 1 (char 0)", the output is not JSON at
// all, such as a help text); other syntax errors in Go's words.
func jsonDecodeMessage(out []byte, err error) string {
	i := 0
	for i < len(out) && (out[i] == ' ' || out[i] == '\t' || out[i] == '\n' || out[i] == '\r') {
		i++
	}
	if i == len(out) || !strings.ContainsRune(`{["-0123456789tfn`, rune(out[i])) {
		line := 1 + bytes.Count(out[:i], []byte("\n"))
		col := i - bytes.LastIndexByte(out[:i], '\n')
		return fmt.Sprintf("Expecting value: line %d column %d (char %d)", line, col, utf8.RuneCount(out[:i]))
	}
	return "The output of the credential_process is not valid JSON: " + err.Error()
}

func pyTypeName(v any) string {
	switch x := v.(type) {
	case []any:
		return "list"
	case string:
		return "str"
	case bool:
		return "bool"
	case nil:
		return "NoneType"
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return "float"
		}
		return "int"
	}
	return "object"
}

// isPyOne is Python's version == 1: the number 1 (also 1.0) or True.
func isPyOne(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == 1
	}
	return false
}

// pyStr is Python's str() of a JSON value, for the version message.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case json.Number:
		if f, err := x.Float64(); err == nil && strings.ContainsAny(x.String(), ".eE") {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// limitedBuffer keeps the first max bytes written and drops the rest.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		if len(p) > room {
			b.Buffer.Write(p[:room])
		} else {
			b.Buffer.Write(p)
		}
	}
	return len(p), nil
}

// tailBuffer keeps the last max bytes written; safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	b   []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimRight(string(t.b), "\n")
}
