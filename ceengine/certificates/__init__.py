"""Certificates: numbers now; issue, render, sign, verify and revoke come with issue 4."""
