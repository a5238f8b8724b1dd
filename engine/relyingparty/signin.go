package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Pomerium's defaults for an OIDC provider (pkg/identity/oidc) and its authenticate service's paths.
var pomeriumScopes = []string{oidc.ScopeOpenID, "profile", "email", "offline_access"}

const (
	callbackPath  = "/oauth2/callback"
	signedOutPath = "/.pomerium/signed_out"
)

type signInOptions struct {
	secret          secretFlags
	authenticateURL string
	user, password  string
	connection      string
	returnTo        string
	groupsClaim     string
	skipRefresh     bool
}

type signInResult struct {
	ProviderURL string         `json:"provider_url"`
	Issuer      string         `json:"issuer"`
	ClientID    string         `json:"client_id"`
	PKCE        bool           `json:"pkce"`
	Claims      map[string]any `json:"claims"`
	UserInfo    map[string]any `json:"userinfo"`
	GroupsClaim string         `json:"groups_claim"`
	// Groups are the values a `claim/<groups_claim>` policy matches; null when the claim is absent.
	Groups          []string       `json:"groups"`
	RefreshedClaims map[string]any `json:"refreshed_claims"`
	SignedOut       string         `json:"signed_out"`
	Requests        requestCounts  `json:"requests"`
	Seconds         map[string]any `json:"seconds"`
}

func signInCommand(ctx context.Context, args []string) (any, error) {
	var o signInOptions
	fs := flag.NewFlagSet("signin", flag.ExitOnError)
	o.secret.register(fs)
	fs.StringVar(&o.authenticateURL, "authenticate-url", "", "Pomerium's authenticate service URL (authenticateServiceUrl); never contacted")
	fs.StringVar(&o.user, "user", "", "user name (email) to sign in as")
	fs.StringVar(&o.password, "password", os.Getenv("LOGIN_PASSWORD"), "the user's password (default $LOGIN_PASSWORD, which keeps it off the command line)")
	fs.StringVar(&o.connection, "connection", "", "Auth0 connection to ask for (Pomerium: idp_request_params)")
	fs.StringVar(&o.returnTo, "return-to", "", "sign-out returnTo (default: <authenticate URL>"+signedOutPath+")")
	fs.StringVar(&o.groupsClaim, "groups-claim", "pomerium.io/groups", "claim a claim/<name> policy reads groups from")
	fs.BoolVar(&o.skipRefresh, "skip-refresh", false, "do not refresh the session")
	_ = fs.Parse(args)
	if o.authenticateURL == "" || o.user == "" {
		return nil, errors.New("signin needs --authenticate-url and --user")
	}
	o.authenticateURL = strings.TrimSuffix(o.authenticateURL, "/")
	if o.returnTo == "" {
		o.returnTo = o.authenticateURL + signedOutPath
	}
	secret, err := o.secret.read()
	if err != nil {
		return nil, err
	}
	return signIn(ctx, o, secret)
}

// discovery is what Pomerium reads from the discovery document besides go-oidc's endpoints.
type discovery struct {
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported"`
}

func signIn(ctx context.Context, o signInOptions, secret map[string]string) (*signInResult, error) {
	providerURL, err := require(secret, "IDP_PROVIDER_URL")
	if err != nil {
		return nil, err
	}
	clientID, err := require(secret, "IDP_CLIENT_ID")
	if err != nil {
		return nil, err
	}
	clientSecret, err := require(secret, "IDP_CLIENT_SECRET")
	if err != nil {
		return nil, err
	}
	// Pomerium's Auth0 provider accepts a URL without the trailing slash by appending one; go-oidc
	// then requires the discovery document's issuer to be exactly that string.
	if !strings.HasSuffix(providerURL, "/") {
		providerURL += "/"
	}
	log := newRequestLog()
	ctx = oidc.ClientContext(ctx, log.client(false))
	result := &signInResult{ProviderURL: providerURL, ClientID: clientID, GroupsClaim: o.groupsClaim, Seconds: map[string]any{}}
	started := time.Now()

	provider, err := oidc.NewProvider(ctx, providerURL)
	if err != nil {
		return nil, fmt.Errorf("go-oidc: %w", err)
	}
	var extra discovery
	if err := provider.Claims(&extra); err != nil {
		return nil, fmt.Errorf("go-oidc: discovery document: %w", err)
	}
	// A fresh oauth2.Config per call, as Pomerium's GetOauthConfig builds one: the auto-detected
	// AuthStyle is cached per Config, so every exchange and refresh probes it again.
	oauthConfig := func() *oauth2.Config {
		return &oauth2.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			Scopes:       pomeriumScopes,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  o.authenticateURL + callbackPath,
		}
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: clientID})

	state, nonce := randomString(), randomString()
	options := []oauth2.AuthCodeOption{oidc.Nonce(nonce)}
	var pkceVerifier string
	if slices.Contains(extra.CodeChallengeMethodsSupported, "S256") {
		pkceVerifier = oauth2.GenerateVerifier()
		options = append(options, oauth2.S256ChallengeOption(pkceVerifier))
		result.PKCE = true
	}
	if o.connection != "" {
		options = append(options, oauth2.SetAuthURLParam("connection", o.connection))
	}
	tenant, err := url.Parse(providerURL)
	if err != nil {
		return nil, fmt.Errorf("IDP_PROVIDER_URL: %w", err)
	}
	b := newBrowser(log, tenant.Host)
	code, err := authorize(b, oauthConfig().AuthCodeURL(state, options...), o, state)
	if err != nil {
		return nil, err
	}

	var exchangeOptions []oauth2.AuthCodeOption
	if pkceVerifier != "" {
		exchangeOptions = append(exchangeOptions, oauth2.VerifierOption(pkceVerifier))
	}
	token, err := oauthConfig().Exchange(ctx, code, exchangeOptions...)
	if err != nil {
		return nil, fmt.Errorf("token exchange: %w", err)
	}
	idToken, claims, err := verifyIDToken(ctx, verifier, token)
	if err != nil {
		return nil, err
	}
	if idToken.Nonce != nonce {
		return nil, fmt.Errorf("go-oidc: ID token nonce %q is not the one sent to /authorize", idToken.Nonce)
	}
	result.Issuer, result.Claims = idToken.Issuer, claims
	result.Groups = groups(claims, o.groupsClaim)
	// Pomerium completes the session with the userinfo endpoint's claims.
	userInfo, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(token))
	if err != nil {
		return nil, fmt.Errorf("go-oidc: %w", err)
	}
	if err := userInfo.Claims(&result.UserInfo); err != nil {
		return nil, fmt.Errorf("go-oidc: userinfo: %w", err)
	}
	result.Seconds["login"] = time.Since(started).Seconds()

	if !o.skipRefresh {
		phase := time.Now()
		if token.RefreshToken == "" {
			return nil, errors.New("refresh: the token response has no refresh_token (offline_access asked for: does the application allow the refresh_token grant?)")
		}
		// Pomerium forces a refresh by keeping only the refresh token.
		stale := &oauth2.Token{TokenType: token.TokenType, RefreshToken: token.RefreshToken}
		refreshed, err := oauthConfig().TokenSource(ctx, stale).Token()
		if err != nil {
			return nil, fmt.Errorf("refresh: %w", err)
		}
		if _, result.RefreshedClaims, err = verifyIDToken(ctx, verifier, refreshed); err != nil {
			return nil, fmt.Errorf("refresh: %w", err)
		}
		result.Seconds["refresh"] = time.Since(phase).Seconds()
	}

	phase := time.Now()
	if result.SignedOut, err = signOut(b, provider.Endpoint().AuthURL, clientID, o.returnTo); err != nil {
		return nil, err
	}
	result.Seconds["sign_out"] = time.Since(phase).Seconds()
	result.Seconds["total"] = time.Since(started).Seconds()
	result.Requests = log.snapshot()
	return result, nil
}

// authorize drives /authorize and the login form to the callback and returns the code.
func authorize(b *browser, authURL string, o signInOptions, state string) (string, error) {
	p, err := b.get(authURL)
	if err != nil {
		return "", fmt.Errorf("authorize: %w", err)
	}
	if p.left == nil {
		if p.status != 200 {
			return "", p.failure()
		}
		if p, err = b.submitLogin(p, o.user, o.password); err != nil {
			return "", fmt.Errorf("login form: %w", err)
		}
		if p.left == nil {
			return "", p.failure()
		}
	}
	callback := p.left
	if got := callback.Scheme + "://" + callback.Host + callback.Path; got != o.authenticateURL+callbackPath {
		return "", fmt.Errorf("authorize: redirected to %s, not to the callback %s", got, o.authenticateURL+callbackPath)
	}
	query := callback.Query()
	if query.Get("error") != "" {
		return "", fmt.Errorf("auth0: callback: %s: %s", query.Get("error"), query.Get("error_description"))
	}
	if query.Get("state") != state {
		return "", fmt.Errorf("callback: state %q is not the one sent to /authorize", query.Get("state"))
	}
	if query.Get("code") == "" {
		return "", errors.New("callback: no code")
	}
	return query.Get("code"), nil
}

func verifyIDToken(ctx context.Context, verifier *oidc.IDTokenVerifier, token *oauth2.Token) (*oidc.IDToken, map[string]any, error) {
	raw, _ := token.Extra("id_token").(string)
	if raw == "" {
		return nil, nil, errors.New("the token response has no id_token")
	}
	idToken, err := verifier.Verify(ctx, raw)
	if err != nil {
		return nil, nil, fmt.Errorf("go-oidc: %w", err)
	}
	var claims map[string]any
	if err := idToken.Claims(&claims); err != nil {
		return nil, nil, fmt.Errorf("go-oidc: %w", err)
	}
	return idToken, claims, nil
}

// signOut follows Pomerium's Auth0 sign-out: /v2/logout on the authorization endpoint's host, with
// client_id and returnTo; Auth0 must answer with a redirect to returnTo.
func signOut(b *browser, authURL, clientID, returnTo string) (string, error) {
	base, err := url.Parse(authURL)
	if err != nil {
		return "", fmt.Errorf("sign-out: %w", err)
	}
	query := url.Values{"client_id": {clientID}, "returnTo": {returnTo}}
	logout := base.ResolveReference(&url.URL{Path: "/v2/logout", RawQuery: query.Encode()})
	p, err := b.get(logout.String())
	if err != nil {
		return "", fmt.Errorf("sign-out: %w", err)
	}
	if p.left == nil {
		return "", p.failure()
	}
	if p.left.String() != returnTo {
		return "", fmt.Errorf("sign-out: redirected to %s, not to returnTo %s", p.left, returnTo)
	}
	return p.left.String(), nil
}

// groups are the values of the claim as Pomerium's claim/ criterion compares them: a list of
// strings, or one string; nil when the token has no such claim.
func groups(claims map[string]any, name string) []string {
	switch value := claims[name].(type) {
	case string:
		return []string{value}
	case []any:
		found := []string{}
		for _, v := range value {
			if s, ok := v.(string); ok {
				found = append(found, s)
			}
		}
		return found
	}
	return nil
}

func randomString() string {
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	return base64.RawURLEncoding.EncodeToString(raw)
}
