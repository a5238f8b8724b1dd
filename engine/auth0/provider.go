// Package auth0 maps the upstream Terraform provider onto Pulumi's auth0 tokens.
package auth0

import (
	auth0shim "github.com/auth0/terraform-provider-auth0/shim"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
)

// Version is stamped at link time; the bridge derives the module major version from it.
var Version = "3.0.0-dev"

// Provider returns the bridge configuration.
func Provider() tfbridge.ProviderInfo {
	managedByPulumi := &tfbridge.DefaultInfo{Value: "Managed by Pulumi"}
	prov := tfbridge.ProviderInfo{
		P:         shimv2.NewProvider(auth0shim.NewProvider()),
		Name:      "auth0",
		Version:   Version,
		GitHubOrg: "auth0",
		Config:    map[string]*tfbridge.SchemaInfo{"debug": {Default: &tfbridge.DefaultInfo{EnvVars: []string{"AUTH0_DEBUG"}}}},
		Resources: map[string]*tfbridge.ResourceInfo{
			"auth0_client": {Fields: map[string]*tfbridge.SchemaInfo{"description": {Default: managedByPulumi}}},
			"auth0_role":   {Fields: map[string]*tfbridge.SchemaInfo{"description": {Default: managedByPulumi}}},
		},
		EnableZeroDefaultSchemaVersion: true,
		EnableAccurateBridgePreview:    true,
		EnableRawStateDelta:            true,
	}
	prov.MustComputeTokens(tokens.SingleModule("auth0_", "index", tokens.MakeStandard("auth0")))
	prov.SetAutonaming(255, "-")
	return prov
}
