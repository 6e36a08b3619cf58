"""Quizzes: items, grading, attempts and Score My Quiz."""
