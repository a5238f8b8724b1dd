"""The tenant's error answers: Auth0's Management API error body and the OAuth 2.0 error of the Authentication API,
raised from anywhere in the tenant and rendered once by the dispatcher (moto's `exceptions.py`)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """An error answer in Auth0's shape: `{"statusCode", "error", "message"[, "errorCode"]}`.

    go-auth0 v1 trusts the body's `statusCode` over the HTTP status, so the two are always the same here.
    `error_code` is left out where Auth0's own value is not known, as some real Auth0 errors do.
    """

    def __init__(self, status: int, message: str, error_code: str | None = None) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.error_code = error_code

    def body(self) -> dict[str, Any]:
        """The JSON body Auth0 sends with this status."""
        body: dict[str, Any] = {
            "statusCode": self.status,
            "error": HTTPStatus(self.status).phrase,
            "message": self.message,
        }
        if self.error_code is not None:
            body["errorCode"] = self.error_code
        return body


class OAuthError(Exception):
    """An error from `/oauth/token`, which speaks OAuth 2.0 (`error`, `error_description`) instead."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, Any]:
        """The JSON body Auth0's authentication API sends with this status."""
        return {"error": self.error, "error_description": self.description}


def invalid_body(message: str) -> ApiError:
    """A 400 for a request body Auth0's schema validation would refuse."""
    return ApiError(400, f"Payload validation error: {message}", "invalid_body")


def client_not_found() -> ApiError:
    """Auth0's recorded 404 for a client id it does not know."""
    return ApiError(404, "The client does not exist", "inexistent_client")


def grant_not_found() -> ApiError:
    """Auth0's recorded 404 for a client grant id it does not know."""
    return ApiError(404, "The grant does not exist.", "inexistent_client_grant")


def action_not_found() -> ApiError:
    """Auth0's recorded 404 for an action id it does not know (it carries no errorCode)."""
    return ApiError(404, "That action does not exist.")


def connection_not_found() -> ApiError:
    """Auth0's 404 for a connection id it does not know."""
    return ApiError(404, "The connection does not exist", "inexistent_connection")


def role_not_found() -> ApiError:
    """Auth0's 404 for a role id it does not know."""
    return ApiError(404, "The role does not exist.", "inexistent_role")


def user_not_found() -> ApiError:
    """Auth0's 404 for a user id it does not know."""
    return ApiError(404, "The user does not exist.", "inexistent_user")


def not_implemented(method: str, path: str) -> ApiError:
    """The sandbox's own 501 for a route it does not implement, so a client relying on it fails instead of
    passing by accident."""
    return ApiError(501, f"The sandbox tenant does not implement {method} {path}", "sandbox_not_implemented")
