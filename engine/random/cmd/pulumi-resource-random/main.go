package main

import (
	"context"
	_ "embed"

	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	random "pomerium-auth0.local/engine/random"
)

//go:embed schema.json
var pulumiSchema []byte

func main() {
	pf.Main(context.Background(), "random", random.Provider(), pf.ProviderMetadata{PackageSchema: pulumiSchema})
}
