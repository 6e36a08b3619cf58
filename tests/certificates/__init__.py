"""Certificates: issuing, emailing, verifying, superseding and the CLI."""
