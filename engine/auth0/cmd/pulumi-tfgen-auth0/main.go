package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	auth0 "pomerium-auth0.local/engine/auth0"
)

func main() { tfgen.Main("auth0", auth0.Version, auth0.Provider()) }
