"""Helpers the tests share: reading pages, user flows, factories and fakes (never a test)."""
