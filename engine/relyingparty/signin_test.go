package main

import (
	"reflect"
	"testing"
)

func TestGroupsAreWhatAClaimPolicyMatches(t *testing.T) {
	claims := map[string]any{
		"list":  []any{"admins", "developers"},
		"one":   "admins",
		"empty": []any{},
	}
	for name, want := range map[string][]string{
		"list":    {"admins", "developers"},
		"one":     {"admins"},
		"empty":   {},
		"missing": nil,
	} {
		if got := groups(claims, name); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", name, got, want)
		}
	}
}

func TestFoldIDsKeepsOneNamePerEndpoint(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v2/roles/rol_AbC123/users":       "/api/v2/roles/{id}/users",
		"/api/v2/users/auth0%7C0123abcd/roles": "/api/v2/users/{id}/roles",
		"/.well-known/openid-configuration":    "/.well-known/openid-configuration",
		"/oauth/token":                         "/oauth/token",
		"/u/login":                             "/u/login",
		"/api/v2/roles":                        "/api/v2/roles",
		"/v2/logout":                           "/v2/logout",
		"/.well-known/jwks.json":               "/.well-known/jwks.json",
		"/userinfo":                            "/userinfo",
		"/authorize":                           "/authorize",
	} {
		if got := foldIDs(path); got != want {
			t.Errorf("%s: got %s, want %s", path, got, want)
		}
	}
}
