package main

import (
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// requestLog counts what this program asks of Auth0, by method and path (object ids folded to
// {id}), and records each token request's client authentication, so the figures show what
// Pomerium's auto-detected AuthStyle costs against a given token_endpoint_auth_method.
type requestLog struct {
	next http.RoundTripper

	mu     sync.Mutex
	counts requestCounts
}

// requestCounts is the log's figures, as the JSON output shows them.
type requestCounts struct {
	ByEndpoint map[string]int `json:"by_endpoint"`
	ByHost     map[string]int `json:"by_host"`
	Token      []tokenRequest `json:"token"`
}

type tokenRequest struct {
	GrantType  string `json:"grant_type"`
	ClientAuth string `json:"client_auth"`
	Status     int    `json:"status"`
}

func newRequestLog() *requestLog {
	counts := requestCounts{ByEndpoint: map[string]int{}, ByHost: map[string]int{}, Token: []tokenRequest{}}
	return &requestLog{next: http.DefaultTransport.(*http.Transport).Clone(), counts: counts}
}

// client is an HTTP client through this log; redirects are returned, not followed, when stop is set.
func (l *requestLog) client(stop bool) *http.Client {
	c := &http.Client{Timeout: 30 * time.Second, Transport: l}
	if stop {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

var objectID = regexp.MustCompile(`^[a-z0-9]+_[A-Za-z0-9]+$|\|`)

func foldIDs(path string) string {
	parts := strings.Split(path, "/")
	for i, part := range parts {
		if unescaped, err := url.PathUnescape(part); err == nil && objectID.MatchString(unescaped) {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

func (l *requestLog) RoundTrip(r *http.Request) (*http.Response, error) {
	var token *tokenRequest
	if r.URL.Path == "/oauth/token" {
		token = describeTokenRequest(r)
	}
	resp, err := l.next.RoundTrip(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts.ByEndpoint[r.Method+" "+foldIDs(r.URL.Path)]++
	l.counts.ByHost[r.URL.Host]++
	if token != nil {
		if resp != nil {
			token.Status = resp.StatusCode
		}
		l.counts.Token = append(l.counts.Token, *token)
	}
	return resp, err
}

// describeTokenRequest names the request's client authentication as Auth0's
// token_endpoint_auth_method values do, reading the form from a copy of the body.
func describeTokenRequest(r *http.Request) *tokenRequest {
	form := url.Values{}
	if r.GetBody != nil {
		if body, err := r.GetBody(); err == nil {
			raw, _ := io.ReadAll(body)
			form, _ = url.ParseQuery(string(raw))
		}
	}
	auth := "none"
	if _, _, ok := r.BasicAuth(); ok {
		auth = "client_secret_basic"
	} else if form.Get("client_secret") != "" {
		auth = "client_secret_post"
	}
	return &tokenRequest{GrantType: form.Get("grant_type"), ClientAuth: auth}
}

func (l *requestLog) snapshot() requestCounts {
	l.mu.Lock()
	defer l.mu.Unlock()
	return requestCounts{ByEndpoint: maps.Clone(l.counts.ByEndpoint), ByHost: maps.Clone(l.counts.ByHost), Token: slices.Clone(l.counts.Token)}
}
