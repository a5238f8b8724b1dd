"""A local Auth0-compatible tenant over HTTPS: the Management API, for running the real Auth0 provider
against, and the Authentication API (`authentication/`), for signing in through what it created.

Start it in-process with `server.start_tenant`, or as `python -m sandbox.auth0_tenant --state-dir DIR`.
"""

STATE_FILE = "tenant.json"
"""What a started tenant writes into its state directory: its address, CA and credentials. Here, not in
`server`, so that reading it (`python -m sandbox status`, `run`) does not load the whole tenant."""
