"""Auth0's Authentication API, enough for an OIDC login the way Pomerium signs in: discovery and keys,
`/authorize` with a login form standing in for Universal Login, the post-login Actions, `/oauth/token`
(client credentials, authorization code, refresh token), `/userinfo` and logout.

Find an endpoint in `urls.py` (the table) and its handler module: `discovery` (the two well-known documents),
`authorize` (`/authorize` and the login form), `token` (`/oauth/token`, every grant and client
authentication), `userinfo`, `logout`. They share `context` (the tenant and its hosts), `claims` (what goes
into tokens), `post_login` (the Actions' event) with `action_runner` (Node, `action_runner.js`), `keys`
(the RS256 key) and `pages` (HTML and redirects). Users, roles and sign-in state are the tenant's `models`.
What it leaves out of Auth0's is listed in the README's sandbox section.
"""
