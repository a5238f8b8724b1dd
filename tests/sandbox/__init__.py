"""Tests of the sandbox: the Auth0-compatible tenant, the stand-in kubelet and the sandbox commands."""
