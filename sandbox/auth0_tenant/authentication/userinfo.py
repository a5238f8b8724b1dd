"""`GET /userinfo`: the signed-in user's claims for an access token this tenant issued at `/oauth/token`."""

from __future__ import annotations

import jwt

from ..exceptions import ApiError
from ..http_messages import Request, Response
from .claims import profile_claims
from .context import Context


def userinfo(ctx: Context, request: Request) -> tuple[Response, str | None]:
    """The user's claims for the token's scopes, with the ID token's custom claims (as Auth0 returns them), or
    401 as Auth0 answers."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    issuer = ctx.issuer_url(request.headers)
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise jwt.InvalidTokenError("no bearer token")
        claims = ctx.key.verify(token.strip(), audience=issuer + "userinfo", issuer=issuer)
        user = ctx.tenant.directory.user(str(claims["sub"]))
    except (jwt.InvalidTokenError, ApiError) as error:
        headers = {
            "Content-Type": "text/plain; charset=utf-8",
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{type(error).__name__}"',
        }
        return Response(401, b"Unauthorized", headers), None
    custom = ctx.tenant.logins.claims_for_userinfo(str(claims.get("jti")))
    answer = {"sub": user["user_id"], **profile_claims(user, tuple(str(claims.get("scope", "")).split())), **custom}
    return Response(200, answer), str(claims.get("azp")) or None
