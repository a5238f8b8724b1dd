package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	random "pomerium-auth0.local/engine/random"
)

func main() { tfgen.Main("random", random.Provider()) }
