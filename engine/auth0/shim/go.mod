module github.com/auth0/terraform-provider-auth0/shim

go 1.25

require github.com/auth0/terraform-provider-auth0 v1.57.0
