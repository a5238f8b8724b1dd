/**
 * Post-Login Action managed by Pulumi (pomerium-auth0); dashboard edits are overwritten.
 *
 * Adds the user's Auth0 role names to the ID token, so that Pomerium v0.20+ can authorize by
 * group (policy: `claim/<claim name>`). One Action serves every Pomerium application in the
 * tenant: it acts only on logins through an application whose metadata names the claim
 * (set by pomerium-auth0 on its web application); other applications are untouched.
 */
const CLAIM_METADATA_KEY = __CLAIM_METADATA_KEY__;

exports.onExecutePostLogin = async (event, api) => {
  const claim = event.client && event.client.metadata && event.client.metadata[CLAIM_METADATA_KEY];
  if (!claim) {
    return;
  }
  const roles = (event.authorization && event.authorization.roles) || [];
  api.idToken.setCustomClaim(claim, roles);
};
