//go:build tools

// Package tools pins the Pulumi YAML language host this module builds. It is built with the pkg/v3
// that pulumi-yaml requires (see go.mod), not the CLI's (engine/cli): it does not compile against
// that one, and it needs none of it, since it talks to the CLI only over gRPC.
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
