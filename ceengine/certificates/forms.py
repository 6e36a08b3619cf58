"""Forms: the "My certificates" sign-in and the certificate file check."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from ceengine.text import clean_text


class SignInRequestForm(FlaskForm):
    """Ask for a sign-in link to "My certificates"."""

    email = EmailField(
        "Email address the certificates were issued to",
        filters=[clean_text],
        validators=[
            DataRequired("Enter your email address."),
            Email(
                "Enter an email address like name@example.org.",
                check_deliverability=False,
                allow_smtputf8=False,
            ),
            Length(max=254),
        ],
    )
    submit = SubmitField("Email me a sign-in link")


class UploadForm(FlaskForm):
    """Check a certificate file: its PDF, or its Open Badge credential (JSON)."""

    pdf = FileField(
        "Certificate file (PDF or Open Badge JSON)",
        validators=[FileRequired("Choose the certificate's PDF or JSON file.")],
    )
    submit = SubmitField("Check this file")


class SignOutForm(FlaskForm):
    """Sign out of "My certificates" (a form, so it carries a CSRF token)."""

    submit = SubmitField("Sign out")


class OpenTranscriptForm(FlaskForm):
    """Use an emailed sign-in link (a button, so a mail scanner's visit does not use it up)."""

    submit = SubmitField("Open my certificates")
