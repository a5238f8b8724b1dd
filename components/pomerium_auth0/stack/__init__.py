"""What only the stack program (`__main__.py`) uses: its config, its auth0 provider, the bootstrap scope check."""
