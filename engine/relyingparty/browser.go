package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// browser stands in for the user's browser on the tenant's Universal Login pages: it keeps
// cookies, follows redirects on the tenant, fills the login form, and stops at the first
// redirect off the tenant (to Pomerium's authenticate service), which it never follows.
type browser struct {
	client *http.Client
	// tenant is the host the login runs on (IDP_PROVIDER_URL's).
	tenant string
}

func newBrowser(log *requestLog, tenant string) *browser {
	client := log.client(true)
	client.Jar, _ = cookiejar.New(nil)
	return &browser{client: client, tenant: tenant}
}

// page is where a navigation ended: a redirect off the tenant (left), or a page
// the tenant rendered (status and parsed document).
type page struct {
	url    *url.URL
	left   *url.URL
	status int
	doc    *html.Node
}

const maxRedirects = 10

// navigate sends req and follows the tenant's redirects.
func (b *browser) navigate(req *http.Request) (*page, error) {
	for range maxRedirects {
		resp, err := b.client.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			location, err := resp.Location()
			if err != nil {
				return nil, fmt.Errorf("%s %s: %s without a Location", req.Method, req.URL.Path, resp.Status)
			}
			if location.Host != b.tenant {
				return &page{url: req.URL, left: location, status: resp.StatusCode}, nil
			}
			if req, err = http.NewRequest(http.MethodGet, location.String(), nil); err != nil {
				return nil, err
			}
			continue
		}
		doc, err := html.Parse(strings.NewReader(string(body)))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %s, not HTML: %w", req.Method, req.URL.Path, resp.Status, err)
		}
		return &page{url: req.URL, status: resp.StatusCode, doc: doc}, nil
	}
	return nil, errors.New("more than 10 redirects on the tenant")
}

func (b *browser) get(target string) (*page, error) {
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	return b.navigate(req)
}

// submitLogin fills the page's login form (username, password, hidden inputs unchanged) and posts it.
func (b *browser) submitLogin(p *page, username, password string) (*page, error) {
	form := find(p.doc, func(n *html.Node) bool {
		return n.Data == "form" && strings.EqualFold(attr(n, "method"), "post")
	})
	if form == nil {
		return nil, fmt.Errorf("GET %s: %d, but no login form on the page%s", p.url.Path, p.status, p.errorText())
	}
	values := url.Values{}
	walk(form, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" {
			values.Set(attr(n, "name"), attr(n, "value"))
		}
	})
	values.Set("username", username)
	values.Set("password", password)
	action, err := p.url.Parse(attr(form, "action"))
	if err != nil {
		return nil, fmt.Errorf("login form action: %w", err)
	}
	req, err := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(values.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.navigate(req)
}

// failure is the error a rendered page shows, as Auth0's error page and login form show it.
func (p *page) failure() error {
	return fmt.Errorf("auth0: %s %d:%s", p.url.Path, p.status, p.errorText())
}

// errorText is " <error>: <error_description>" from the page's id="error" and id="error_description".
func (p *page) errorText() string {
	text := ""
	for _, id := range []string{"error", "error_description"} {
		if n := find(p.doc, func(n *html.Node) bool { return attr(n, "id") == id }); n != nil {
			if text != "" {
				text += ":"
			}
			text += " " + strings.TrimSpace(textOf(n))
		}
	}
	return text
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func walk(n *html.Node, visit func(*html.Node)) {
	visit(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, visit)
	}
}

func find(root *html.Node, match func(*html.Node) bool) *html.Node {
	var found *html.Node
	walk(root, func(n *html.Node) {
		if found == nil && n.Type == html.ElementNode && match(n) {
			found = n
		}
	})
	return found
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}
