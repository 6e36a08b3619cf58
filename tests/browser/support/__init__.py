"""Helpers the browser tests share: flows driven in Chromium (never a test)."""
