module github.com/terraform-providers/terraform-provider-random/shim

go 1.26

require github.com/terraform-providers/terraform-provider-random v1.3.2-0.20240911140632-e546ae44b440
