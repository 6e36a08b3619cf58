"""Settings and start-up, health and request logs, serving under gunicorn."""
