"""Policy pack: `pulumi preview --policy-pack policy/` on any program using the components."""

from pomerium_auth0_policy import policies
from pulumi_policy import EnforcementLevel, Policy, PolicyPack

guardrails: list[Policy] = [*policies()]
PolicyPack(name="pomerium-auth0-guardrails", enforcement_level=EnforcementLevel.MANDATORY, policies=guardrails)
