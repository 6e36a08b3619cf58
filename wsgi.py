"""WSGI entry point: `gunicorn wsgi:app`."""

from ceengine import create_app

app = create_app()
