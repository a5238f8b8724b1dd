"""The tenant's RS256 signing key: its JWKS entry, and the JOSE calls (PyJWT) that sign and check tokens.

Like an Auth0 tenant, there is one RSA 2048 key with a self-signed certificate: the JWKS publishes it
(`kid`, `x5t`, `x5c`), the ID tokens of RS256 applications carry its `kid`, and the Management API shows the
same certificate as every client's `signing_keys`. HS256 applications get ID tokens signed with their client
secret instead, as Auth0 does.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from ... import pki

RSA_KEY_BITS = 2048
CERTIFICATE_YEARS = 10
RS256 = "RS256"
HS256 = "HS256"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    """The RSA key pair, its certificate and key id."""

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @classmethod
    def generate(cls, common_name: str) -> SigningKey:
        """A fresh key and a self-signed certificate for it, as Auth0 makes one per tenant."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
        now = datetime.datetime.now(datetime.UTC)
        not_before, not_after = (
            now - datetime.timedelta(hours=1),
            now + datetime.timedelta(days=365 * CERTIFICATE_YEARS),
        )
        certificate = (
            pki.self_signed(key.public_key(), common_name, not_before, not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate)

    @property
    def _der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def kid(self) -> str:
        """Derived from the certificate, so it changes exactly when the key does."""
        return _b64url(hashlib.sha256(self._der).digest()[:24])

    @property
    def certificate_pem(self) -> str:
        """The certificate as the Management API shows it in a client's `signing_keys`."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    def jwk(self) -> dict[str, Any]:
        """The JWKS entry, in Auth0's field order: kty, use, n, e, kid, x5t, x5c, alg."""
        public: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {
            "kty": "RSA",
            "use": "sig",
            "n": public["n"],
            "e": public["e"],
            "kid": self.kid,
            "x5t": _b64url(hashlib.sha1(self._der).digest()),  # RFC 7517: x5t is a SHA-1 thumbprint
            "x5c": [base64.b64encode(self._der).decode()],
            "alg": RS256,
        }

    def sign(self, claims: dict[str, Any], *, alg: str = RS256, secret: bytes | None = None) -> str:
        """A compact JWS: RS256 with this key (header `kid`), or HS256 with an application's secret."""
        if alg == HS256:
            if secret is None:
                raise ValueError("HS256 needs the application's secret")
            return jwt.encode(claims, secret, algorithm=HS256)
        return jwt.encode(claims, self.private_key, algorithm=RS256, headers={"kid": self.kid})

    def verify(self, token: str, *, audience: str, issuer: str) -> dict[str, Any]:
        """The claims of a token this tenant signed with RS256 for this audience, or `jwt.InvalidTokenError`."""
        claims: dict[str, Any] = jwt.decode(
            token, self.private_key.public_key(), algorithms=[RS256], audience=audience, issuer=issuer
        )
        return claims
