"""Walks of the whole URL map and fuzzing of every form."""
