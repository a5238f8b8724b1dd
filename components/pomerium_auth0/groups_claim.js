/**
 * Post-Login Action managed by Pulumi (pomerium-auth0); dashboard edits are overwritten.
 *
 * Adds the user's Auth0 role names to the ID token under a namespaced claim, so that
 * Pomerium v0.20+ can authorize by group (policy: `claim/<claim name>`). It acts only on
 * logins through the Pomerium web application; other applications in the tenant are untouched.
 */
const POMERIUM_CLIENT_ID = __POMERIUM_CLIENT_ID__;
const GROUPS_CLAIM = __GROUPS_CLAIM__;

exports.onExecutePostLogin = async (event, api) => {
  if (!event.client || event.client.client_id !== POMERIUM_CLIENT_ID) {
    return;
  }
  const roles = (event.authorization && event.authorization.roles) || [];
  api.idToken.setCustomClaim(GROUPS_CLAIM, roles);
};
