"""Command lines for operators (`python -m pomerium_auth0.tools.<tool>`)."""
