// conveyor's build of the github resource plugin: Terraform's github provider under Pulumi's Terraform bridge,
// answering with the tokens and property names of the @pulumi/github SDK the program is written against.
//
// Pulumi's own provider module (github.com/pulumi/pulumi-github/provider/v6) is not served by the Go module
// proxy here. Everything it is made of is: the upstream provider it wraps (pulumi-github 6.15.0 wraps
// github.com/integrations/terraform-provider-github/v6 v6.13.0, unpatched), the bridge, and the bridge's fork
// of the Terraform plugin SDK (by exact version; the proxy lists none). This file is the part of that module
// the engine needs at run time: the provider mapping. Tokens are computed the way pulumi-github maps every
// resource, `github_<name>` -> `github:index/<camelName>:<PascalName>`, and property names follow the
// bridge's own rules (snake_case -> camelCase, list blocks pluralised), which is what the SDK was generated
// from. It serves no schema: the engine never asks for one during preview, up, refresh or destroy, and the
// bridge skips checking config against a schema it was not given.
package main

import (
	"github.com/integrations/terraform-provider-github/v6/github"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
)

// version is the @pulumi/github release this plugin stands for (set by engine:build from package-lock.json).
var version = "0.0.0-dev"

// upstream is the terraform-provider-github release go.mod requires; it reports it in its user agent.
const upstream = "6.13.0"

func providerInfo() tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:       shimv2.NewProvider(github.NewProvider(upstream, "")()),
		Name:    "github",
		Version: version,
		Config: map[string]*tfbridge.SchemaInfo{
			// As pulumi-github does: GITHUB_BASE_URL, else github.com.
			"base_url": {Default: &tfbridge.DefaultInfo{EnvVars: []string{"GITHUB_BASE_URL"}, Value: "https://api.github.com/"}},
		},
	}
	info.MustComputeTokens(tokens.SingleModule("github_", "index", tokens.MakeStandard("github")))
	info.SetAutonaming(255, "-")
	return info
}

func main() {
	tfbridge.Main("github", version, providerInfo(), nil)
}
