package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	auth0 "pomerium-auth0.local/engine/auth0"
)

//go:embed schema.json
var pulumiSchema []byte

func main() { tfbridge.Main("auth0", auth0.Version, auth0.Provider(), pulumiSchema) }
