package main

import (
	"encoding/base64"
	"testing"
)

func TestParseServiceAccountReadsBothSpellingsJSONOrBase64AndTheDomain(t *testing.T) {
	for name, raw := range map[string]string{
		"secret, base64":        base64.StdEncoding.EncodeToString([]byte(`{"client_id":"id","secret":"s","domain":"t.auth0.com"}`)),
		"client_secret, JSON":   ` {"client_id":"id","client_secret":"s","domain":"t.auth0.com"}` + "\n",
		"both, the same secret": `{"client_id":"id","secret":"s","client_secret":"s","domain":"t.auth0.com"}`,
	} {
		account, err := parseServiceAccount(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if account.ClientID != "id" || account.Secret != "s" || account.Domain != "t.auth0.com" {
			t.Errorf("%s: got %+v", name, account)
		}
	}
}

func TestParseServiceAccountNamesWhatIsMissing(t *testing.T) {
	for raw, want := range map[string]string{
		`{"secret":"s"}`:      "IDP_SERVICE_ACCOUNT: client_id is required",
		`{"client_id":"id"}`:  "IDP_SERVICE_ACCOUNT: secret (or client_secret) is required",
		"not json, not b64!!": "IDP_SERVICE_ACCOUNT is neither JSON nor base64: illegal base64 data at input byte 3",
	} {
		if _, err := parseServiceAccount(raw); err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %q", raw, err, want)
		}
	}
}
