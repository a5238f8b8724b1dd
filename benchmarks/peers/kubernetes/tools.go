//go:build tools

// Package tools pins hashicorp/terraform-provider-kubernetes, the newest version the module proxy serves.
package tools

import _ "github.com/hashicorp/terraform-provider-kubernetes"
