//go:build tools

// Package tools pins terraform-provider-auth0 at the version engine/auth0 bridges.
package tools

import _ "github.com/auth0/terraform-provider-auth0"
