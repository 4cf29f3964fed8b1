// Package shim hands the random provider to the bridge. Terraform's provider keeps its constructor in an
// internal package; Go lets only import paths under github.com/terraform-providers/terraform-provider-random
// reach it, so this small module takes that path (as pulumi-random's own shim does) and lives beside our
// wrapper through a replace directive.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"
	random "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// NewProvider is Terraform's random provider as the plugin framework serves it.
func NewProvider() provider.Provider { return random.New() }
