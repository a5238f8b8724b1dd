// Package shim exposes the upstream provider constructor, which lives in an internal package.
// Go allows the import because this module's path sits under the upstream module's path.
package shim

import (
	"github.com/auth0/terraform-provider-auth0/internal/provider"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

// NewProvider returns the upstream Terraform provider.
func NewProvider() *schema.Provider { return provider.New() }
