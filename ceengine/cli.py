"""The `ceengine` command: Flask's CLI bound to `create_app`."""

from flask.cli import FlaskGroup

from ceengine import create_app

cli = FlaskGroup(
    create_app=create_app,
    help="ceengine: continuing-education courses, quizzes and certificates.",
)
