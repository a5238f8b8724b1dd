"""The pomerium-auth0 stack: Auth0 applications for Pomerium and the IdP Secret it consumes."""

import pulumi
from pomerium_auth0 import Auth0IdentityProvider
from pomerium_auth0.stack_config import load_stack_config

config = load_stack_config()
idp = Auth0IdentityProvider("pomerium-idp", config.identity_provider_args())

pulumi.export("webClientId", idp.web_client_id)
pulumi.export("directorySyncClientId", idp.directory_sync_client_id)
pulumi.export("idpProviderUrl", idp.idp_provider_url)
pulumi.export("secretName", idp.secret_name)
pulumi.export("secretNamespace", idp.secret_namespace)
pulumi.export("secretChecksum", idp.secret_checksum)
