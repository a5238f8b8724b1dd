// Package random maps the upstream Terraform provider onto Pulumi's random tokens.
package random

import (
	"context"
	"errors"

	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

// Version is stamped at link time; the bridge derives the module major version from it.
var Version = "4.0.0-dev"

// Provider returns the bridge configuration.
func Provider() tfbridge.ProviderInfo {
	prov := tfbridge.ProviderInfo{
		P:       pf.ShimProvider(shim.NewProvider()),
		Name:    "random",
		Version: Version,
		// tfgen records its mapping decisions here; nothing was recorded before the first run.
		MetadataInfo: tfbridge.NewProviderMetadata([]byte("{}")),
		Resources: map[string]*tfbridge.ResourceInfo{
			// random_bytes has no id attribute; like pulumi-random, its id is the base64 value.
			"random_bytes": {ComputeID: bytesID},
		},
	}
	// pulumi-random keeps the Random prefix: random_bytes is random:index/randomBytes:RandomBytes.
	standard := tokens.MakeStandard("random")
	prov.MustComputeTokens(tokens.SingleModule("random_", "index", func(module, name string) (string, error) {
		return standard(module, "Random"+name)
	}))
	return prov
}

func bytesID(_ context.Context, state resource.PropertyMap) (resource.ID, error) {
	b, ok := state["base64"]
	if !ok {
		return "", errors.New("random_bytes state has no base64 property")
	}
	if b.IsSecret() {
		b = b.SecretValue().Element
	}
	if !b.IsString() {
		return "", errors.New("random_bytes base64 property is not a string")
	}
	return resource.ID(b.StringValue()), nil
}
