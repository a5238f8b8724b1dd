"""Entry point of the component provider (PulumiPlugin.yaml `main`)."""

from pomerium_auth0.provider_host import main

if __name__ == "__main__":
    main()
