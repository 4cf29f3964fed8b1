// conveyor's build of the random resource plugin: Terraform's random provider (a plugin-framework provider)
// under Pulumi's Terraform bridge, answering with the tokens and property names of the @pulumi/random SDK.
//
// Pulumi's own provider module (github.com/pulumi/pulumi-random/provider/v4) is not served by the Go module
// proxy here, and neither are Terraform's release tags (v3.x is no valid version for a module path without
// /v3) nor queries by commit; the proxy does serve the pseudo-version pulumi-random 4.16 required, Terraform's
// random 3.6.3, older than what @pulumi/random 4.21.2 wraps (its RandomUuid4 and RandomUuid7 are missing
// here). This file is the part of pulumi-random the engine needs at run
// time: the mapping `random_<name>` -> `random:index/random<Name>:Random<Name>` (pulumi-random keeps the
// "Random" prefix that the standard mapping would drop), and the property names of the bridge's own rules.
// It serves no schema: the engine never asks for one during preview, up, refresh or destroy.
package main

import (
	"context"
	"errors"

	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

// version is the @pulumi/random release this plugin stands for (set by engine:build from package-lock.json).
var version = "0.0.0-dev"

func providerInfo() tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:       pfbridge.ShimProvider(shim.NewProvider()),
		Name:    "random",
		Version: version,
		// The pf bridge insists on metadata; pulumi-random's only carries auto-aliases of renamed resources.
		MetadataInfo:                  tfbridge.NewProviderMetadata(nil),
		EnableAccuratePFBridgePreview: true,
	}
	random := tokens.MakeStandard("random")
	info.MustComputeTokens(tokens.SingleModule("random_", "index", func(module, name string) (string, error) {
		return random(module, "Random"+name)
	}))
	return info
}

func main() {
	pfbridge.Main(context.Background(), "random", providerInfo(), pfbridge.ProviderMetadata{
		XGetSchema: func(context.Context, plugin.GetSchemaRequest) ([]byte, error) {
			return nil, errors.New("conveyor's random plugin carries no schema; use @pulumi/random's")
		},
	})
}
