"""A local Auth0-compatible tenant over HTTPS: the Management API, for running the real Auth0 provider
against, and the Authentication API, for signing in through what it created.

Laid out like a cloud-service emulator (moto's `cognitoidp/`): each API finds an endpoint in one table and
one handler module (`management/urls.py` + `responses.py`, `authentication/urls.py` + its handler modules,
`admin/urls.py` + `responses.py`); `models/` holds the state and Auth0's rules that all three call;
`dispatcher.py` routes a request to its API under the rate limit and faults and writes the request log;
`exceptions.py` has Auth0's error bodies and `http_messages.py` the request and response types.

Start it in-process with `server.start_tenant`, or as `python -m sandbox.auth0_tenant --state-dir DIR`.
"""

STATE_FILE = "tenant.json"
"""What a started tenant writes into its state directory: its address, CA and credentials. Here, not in
`server`, so that reading it (`python -m sandbox status`, `run`) does not load the whole tenant."""
