"""Auth0's Management API (`/api/v2/...`): find an endpoint in `urls.py` (its table) and `responses.py` (its
handlers); `scopes.py` is Auth0's published scope table every call is checked against, `field_rules.py` the
field-level read and write rules, `paging.py` Auth0's list forms. State and rules live in `models/`.
"""
