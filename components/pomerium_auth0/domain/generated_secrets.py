"""Pomerium's own secrets (cookie, shared, signing key): checked when supplied, generated once when not.

The all-in-one Deployment puts them in its `pomerium-secrets` Secret, the ingress controller
consumer in the bootstrap Secret its `Pomerium` resource names; both take them from here.
"""

import base64
import hashlib
from collections.abc import Callable, Mapping

import pulumi
import pulumi_random as random
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ..inputs import checks
from ..inputs.settings import Setting

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
"""The order n of the P-256 group: a private key is a scalar in [1, n - 1]."""


def _entropy(resource_name: str, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """64 random alphanumerics (about 380 bits), created once and kept in state only as a secret.

    `random.RandomBytes` would be the obvious choice, but pulumi-random uses the base64 value as
    the resource's ID, and IDs are stored in plain text (the real-engine suite caught it). A
    `RandomPassword` has the ID `none` and a secret `result`.
    """
    return random.RandomPassword(resource_name, length=64, special=False, opts=opts).result


def generated_key(resource_name: str, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """Base64 of 32 random bytes: the entropy condensed with SHA-256, stable while it exists."""
    return pulumi.Output.secret(_entropy(resource_name, opts).apply(_condense_to_key))


def generated_signing_key(resource_name: str, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """Base64 of a PEM ECDSA P-256 private key derived from the entropy, stable while it exists.

    Every replica then signs Pomerium's JWT assertion with the same key: v0.32 would generate one
    per pod. v0.33 derives one from SHARED_SECRET when none is set, which is stable too, but the
    key is still set for every image: v0.32.x pins need it, a digest does not tell the version,
    and dropping it on upgrade would change the key under every upstream (and, in a stack with
    `protect`, fail to delete its `RandomPassword`). pulumi-tls would generate the key itself, but
    its plugin cannot be built here; a pure function of a `RandomPassword` keeps only that password
    in state, as for the other generated secrets.
    """
    return pulumi.Output.secret(_entropy(resource_name, opts).apply(_derive_signing_key))


def _condense_to_key(entropy: str) -> str:
    return base64.b64encode(hashlib.sha256(entropy.encode()).digest()).decode()


def _derive_signing_key(entropy: str) -> str:
    """SEC1 PEM (`EC PRIVATE KEY`, what `openssl ecparam -genkey` writes and Pomerium's docs show), base64.

    A 256-bit digest reduced mod n - 1 is uniform to within 2^-32, and + 1 keeps it out of zero.
    """
    digest = int.from_bytes(hashlib.sha256(entropy.encode()).digest(), "big")
    key = ec.derive_private_key(digest % (P256_ORDER - 1) + 1, ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return base64.b64encode(pem).decode()


SECRET_SETTINGS: dict[str, Setting] = {
    "cookie_secret": Setting(checks.base64_key, secret=True),
    "shared_secret": Setting(checks.base64_key, secret=True),
    "signing_key": Setting(checks.signing_key, secret=True),
}
"""How a supplied value of each secret is checked; the config keys are `cookieSecret`, `sharedSecret`, `signingKey`."""

GENERATORS: dict[str, Callable[[str, pulumi.ResourceOptions], pulumi.Output[str]]] = {
    "cookie_secret": generated_key,
    "shared_secret": generated_key,
    "signing_key": generated_signing_key,
}
"""How each secret is generated when not supplied, from a `RandomPassword` named after the resource."""


def secret_values(
    name: str, supplied: Mapping[str, pulumi.Input[str]], opts: pulumi.ResourceOptions
) -> dict[str, pulumi.Output[str]]:
    """Every secret, by argument name: the supplied ones as given, the others generated once and kept stable.

    Losing the generator's entropy changes the secrets: every user signs in again and upstreams that
    verify the JWT assertion need the new key, so `opts` carries the caller's `protect`.
    """
    return {
        secret: pulumi.Output.secret(
            supplied[secret] if secret in supplied else generate(f"{name}-{secret.replace('_', '-')}", opts)
        )
        for secret, generate in GENERATORS.items()
    }
