package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/auth0/go-auth0/management"
	"golang.org/x/oauth2"
)

// serviceAccount is IDP_SERVICE_ACCOUNT as Pomerium v0.19's Auth0 directory provider reads it:
// JSON, or base64 of JSON; `secret` or `client_secret`; `domain` overrides where the Management
// API is called (a custom login domain cannot serve it).
type serviceAccount struct {
	Domain       string `json:"domain"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Secret       string `json:"secret"`
}

func parseServiceAccount(raw string) (*serviceAccount, error) {
	raw = strings.TrimSpace(raw)
	if !json.Valid([]byte(raw)) {
		decoded, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			return nil, fmt.Errorf("IDP_SERVICE_ACCOUNT is neither JSON nor base64: %w", err)
		}
		raw = string(decoded)
	}
	var account serviceAccount
	if err := json.Unmarshal([]byte(raw), &account); err != nil {
		return nil, fmt.Errorf("IDP_SERVICE_ACCOUNT: %w", err)
	}
	if account.Secret == "" {
		account.Secret = account.ClientSecret
	}
	if account.ClientID == "" {
		return nil, errors.New("IDP_SERVICE_ACCOUNT: client_id is required")
	}
	if account.Secret == "" {
		return nil, errors.New("IDP_SERVICE_ACCOUNT: secret (or client_secret) is required")
	}
	return &account, nil
}

type member struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
}

type role struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []member `json:"members"`
}

type directoryResult struct {
	// ManagementAPI is where the Management API was called (go-auth0's base URL).
	ManagementAPI string        `json:"management_api"`
	Roles         []role        `json:"roles"`
	Requests      requestCounts `json:"requests"`
}

func directoryCommand(ctx context.Context, args []string) (any, error) {
	var where secretFlags
	fs := flag.NewFlagSet("directory", flag.ExitOnError)
	where.register(fs)
	_ = fs.Parse(args)
	secret, err := where.read()
	if err != nil {
		return nil, err
	}
	raw, err := require(secret, "IDP_SERVICE_ACCOUNT")
	if err != nil {
		return nil, fmt.Errorf("%w (directorySync: off?)", err)
	}
	account, err := parseServiceAccount(raw)
	if err != nil {
		return nil, err
	}
	domain := account.Domain
	if domain == "" {
		if domain, err = require(secret, "IDP_PROVIDER_URL"); err != nil {
			return nil, err
		}
	}
	return listDirectory(ctx, domain, account)
}

// listDirectory makes v0.19's calls: every page of GET /roles, then every page of each role's
// GET /roles/{id}/users, both with include_totals=true and page=N (go-auth0's per_page=50).
func listDirectory(ctx context.Context, domain string, account *serviceAccount) (*directoryResult, error) {
	log := newRequestLog()
	client := log.client(false)
	// The client-credentials token request goes through the context's client.
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	api, err := management.New(domain,
		management.WithClientCredentials(ctx, account.ClientID, account.Secret),
		management.WithClient(client))
	if err != nil {
		return nil, fmt.Errorf("auth0: could not build management: %w", err)
	}
	result := &directoryResult{ManagementAPI: api.URI(), Roles: []role{}}
	for page, more := 0, true; more; page++ {
		list, err := api.Role.List(ctx, management.IncludeTotals(true), management.Page(page))
		if err != nil {
			return nil, fmt.Errorf("auth0: could not list roles: %w", err)
		}
		for _, r := range list.Roles {
			result.Roles = append(result.Roles, role{ID: r.GetID(), Name: r.GetName(), Members: []member{}})
		}
		more = list.HasNext()
	}
	for i := range result.Roles {
		r := &result.Roles[i]
		for page, more := 0, true; more; page++ {
			users, err := api.Role.Users(ctx, r.ID, management.IncludeTotals(true), management.Page(page))
			if err != nil {
				return nil, fmt.Errorf("auth0: could not get users for role %q: %w", r.ID, err)
			}
			for _, u := range users.Users {
				r.Members = append(r.Members, member{UserID: u.GetID(), Email: u.GetEmail()})
			}
			more = users.HasNext()
		}
		sort.Slice(r.Members, func(a, b int) bool { return r.Members[a].UserID < r.Members[b].UserID })
	}
	sort.Slice(result.Roles, func(a, b int) bool { return result.Roles[a].ID < result.Roles[b].ID })
	result.Requests = log.snapshot()
	return result, nil
}
