"""pytest fixtures for the local INVO sandbox (placeholder until the sandbox lands)."""
