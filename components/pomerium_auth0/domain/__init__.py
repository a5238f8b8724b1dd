"""Rules of Auth0, Pomerium and Kubernetes that the components apply: no resources are created here."""
