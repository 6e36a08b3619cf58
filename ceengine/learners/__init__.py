"""Learners: people taking courses, known without an account by a signed cookie."""
