# The job our stack does with `consumer: none`, written as plain OpenTofu: the Regular Web App, the
# directory-sync M2M app, both credentials (client_secret_post), the Management API grant, the
# groups-claim Action with its post-login binding, and the IdP Secret with the same IDP_* keys.
# benchmarks/peers.py applies it against the sandbox; tests/test_peers.py keeps its resource set in
# step with our component and benchmarks/peers/plain. Credentials come from AUTH0_DOMAIN,
# AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, the sandbox CA from SSL_CERT_FILE.

terraform {
  required_providers {
    auth0      = { source = "auth0/auth0", version = "1.57.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = "1.13.4" }
  }
}

variable "domain" { type = string }
variable "kubeconfig" { type = string }
variable "app_name" { type = string }
variable "namespace" { type = string }
variable "authenticate_url" { type = string }
variable "groups_claim_js" { type = string } # components/pomerium_auth0/domain/groups_claim.js

provider "auth0" {}

provider "kubernetes" {
  config_path      = var.kubeconfig
  load_config_file = true
}

resource "auth0_client" "web" {
  name                = var.app_name
  description         = "Pomerium sign-in (managed by Pulumi: pomerium-auth0)"
  app_type            = "regular_web"
  initiate_login_uri  = var.authenticate_url
  callbacks           = ["${var.authenticate_url}/oauth2/callback"]
  allowed_logout_urls = ["${var.authenticate_url}/.pomerium/signed_out"]
  grant_types         = ["authorization_code", "refresh_token"]
  oidc_conformant     = true
  client_metadata     = { pomerium_groups_claim = "pomerium.io/groups" }
  jwt_configuration { alg = "RS256" }
}

resource "auth0_client_credentials" "web" {
  client_id             = auth0_client.web.client_id
  authentication_method = "client_secret_post"
}

resource "auth0_client" "directory_sync" {
  name        = "${var.app_name}-directory-sync"
  description = "Pomerium directory sync (managed by Pulumi: pomerium-auth0)"
  app_type    = "non_interactive"
  grant_types = ["client_credentials"]
  jwt_configuration { alg = "RS256" }
}

resource "auth0_client_credentials" "directory_sync" {
  client_id             = auth0_client.directory_sync.client_id
  authentication_method = "client_secret_post"
}

resource "auth0_client_grant" "management_api" {
  client_id = auth0_client.directory_sync.client_id
  audience  = "https://${var.domain}/api/v2/"
  scopes    = ["read:roles", "read:role_members"]
}

resource "auth0_action" "groups_claim" {
  name    = "${var.app_name} groups claim"
  runtime = "node22"
  deploy  = true
  code    = replace(file(var.groups_claim_js), "__CLAIM_METADATA_KEY__", jsonencode("pomerium_groups_claim"))
  supported_triggers {
    id      = "post-login"
    version = "v3"
  }
}

resource "auth0_trigger_action" "groups_claim" {
  trigger      = "post-login"
  action_id    = auth0_action.groups_claim.id
  display_name = auth0_action.groups_claim.name
}

resource "kubernetes_namespace" "pomerium" {
  metadata { name = var.namespace }
}

resource "kubernetes_secret" "idp" {
  metadata {
    name      = "pomerium-idp"
    namespace = kubernetes_namespace.pomerium.metadata[0].name
  }
  type = "Opaque"
  data = {
    IDP_PROVIDER        = "auth0"
    IDP_PROVIDER_URL    = "https://${var.domain}/"
    IDP_CLIENT_ID       = auth0_client.web.client_id
    IDP_CLIENT_SECRET   = auth0_client_credentials.web.client_secret
    IDP_SERVICE_ACCOUNT = base64encode(jsonencode({ client_id = auth0_client.directory_sync.client_id, secret = auth0_client_credentials.directory_sync.client_secret }))
  }
}
