"""What the Authentication API answers a browser: the HTML the login stand-in serves (the sign-in form and
Auth0's error page, LOGIN-CONTRACT.md) and redirects.

Auth0's Universal Login page is a JavaScript application; this one is a plain form with the inputs a
relying party under test fills in (`username`, `password`) and the hidden `state` it must send back.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlencode

from ..http_messages import Response

HTML_TYPE = "text/html; charset=utf-8"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
{content}
</body>
</html>
"""


def _page(title: str, content: str) -> bytes:
    return _PAGE.format(title=escape(title), content=content).encode()


def login_form(transaction_id: str, *, application: str, connection: str, error: str | None = None) -> bytes:
    """The sign-in form for one login transaction; `error` is Auth0's message after a failed attempt."""
    action = "/u/login?state=" + quote(transaction_id, safe="")
    shown_error = f'<p id="error">{escape(error)}</p>\n' if error else ""
    content = (
        f"<h1>Log in to {escape(application)}</h1>\n"
        f"<p>Connection: {escape(connection)}</p>\n"
        f"{shown_error}"
        f'<form method="post" action="{escape(action)}">\n'
        f'<input type="hidden" name="state" value="{escape(transaction_id)}">\n'
        '<label>Email address <input type="text" name="username" autocomplete="username"></label>\n'
        '<label>Password <input type="password" name="password" autocomplete="current-password"></label>\n'
        '<button type="submit" name="action" value="default">Continue</button>\n'
        "</form>"
    )
    return _page("Log in", content)


def error_html(error: str, description: str) -> bytes:
    """Auth0's "Oops!, something went wrong" page, with the OAuth error code and description as elements."""
    content = (
        "<h1>Oops!, something went wrong</h1>\n"
        f'<p><code id="error">{escape(error)}</code>: <span id="error_description">{escape(description)}</span></p>'
    )
    return _page("Error", content)


def message_html(text: str) -> bytes:
    """A plain page, such as the one `/v2/logout` shows when it has nowhere to send the browser."""
    return _page(text, f"<p>{escape(text)}</p>")


# The answers that carry them


def html(status: int, body: bytes) -> Response:
    """An HTML answer, never cached."""
    return Response(status, body, {"Content-Type": HTML_TYPE, "Cache-Control": "no-store"})


def error_page(error: str, description: str, status: int = 400) -> Response:
    """Auth0's error page, for what it cannot send back to the application."""
    return html(status, error_html(error, description))


def not_implemented(what: str) -> Response:
    """A 501 for an Auth0 feature this tenant lacks, so a client relying on it fails instead of passing."""
    return error_page("sandbox_not_implemented", f"The sandbox tenant does not implement {what}", 501)


def redirect(url: str, params: dict[str, str | None]) -> Response:
    """302 to `url` with these query parameters added (the ones that are None left out)."""
    query = urlencode({key: value for key, value in params.items() if value is not None})
    separator = "&" if "?" in url else "?"
    return Response(302, None, {"Location": f"{url}{separator}{query}" if query else url})
