"""Local stand-ins for the external services the project talks to, used only by tests."""
