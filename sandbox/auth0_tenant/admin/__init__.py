"""The sandbox's own routes, not Auth0's (`/__sandbox/...`, behind the `X-Sandbox-Admin` header): the request
log, extra machine clients, re-scoping a client, and the faults, rate limit and Action builds mid-session.
`urls.py` is their table, `responses.py` their handlers."""
