"""The learner's details for a certificate: name, email and, where the course asks, license."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from ceengine.certificates.edition import LearnerDetails
from ceengine.text import FULL_NAME_MAX, clean_text, jurisdiction, license_number, printable

LICENSE_FIELDS = ("profession", "license_type", "license_number", "license_state")
REQUIRED_MESSAGES = {
    "license_type": "Enter your license type.",
    "license_number": "Enter your license number.",
    "license_state": "Enter the state or jurisdiction of your license.",
}


# The learner's license details, one definition for every form that takes them (the
# learner's own details form and the admin's reissue form). Each call makes a new field, so
# it sits in its form's field order where it is called.


def profession_field() -> StringField:
    return StringField(
        "Profession", filters=[clean_text], validators=[Optional(), Length(max=120), printable]
    )


def license_type_field() -> StringField:
    return StringField(
        "License type (e.g. LCSW, LMFT, RN)",
        filters=[clean_text],
        validators=[Optional(), Length(max=80), printable],
    )


def license_number_field() -> StringField:
    return StringField(
        "License number",
        filters=[clean_text],
        validators=[Optional(), Length(max=60), printable, license_number],
    )


def license_state_field() -> StringField:
    return StringField(
        "State or jurisdiction of license",
        filters=[clean_text],
        validators=[Optional(), Length(max=60), printable, jurisdiction],
    )


class DetailsForm(FlaskForm):
    """Name, email and (where the course asks) license details, printed on the certificate."""

    full_name = StringField(
        "Full name, as it should appear on the certificate",
        filters=[clean_text],
        validators=[
            DataRequired("Enter your full name."),
            Length(max=FULL_NAME_MAX, message=f"Keep the name under {FULL_NAME_MAX} characters."),
            printable,
        ],
    )
    email = EmailField(
        "Email (we send the certificate link here)",
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
    profession = profession_field()
    license_type = license_type_field()
    license_number = license_number_field()
    license_state = license_state_field()
    attest = BooleanField(
        "I completed this course myself, including the post-test.",
        validators=[DataRequired("Confirm that you completed this course yourself.")],
    )
    preview = SubmitField("Preview")
    issue = SubmitField("Issue certificate")

    def details(self) -> LearnerDetails:
        """The cleaned details, ready to print (with the attestation, once confirmed)."""
        extra = {name: self[name].data or "" for name in LICENSE_FIELDS if name in self}
        attestation = self.attest.label.text if self.attest.data else ""
        return LearnerDetails(
            self.full_name.data, self.email.data, **extra, attestation=attestation
        )


def details_form(
    license_details: str,
    submit_label: str,
    attestation: str,
    required: frozenset[str] = frozenset(),
    **kwargs,
) -> DetailsForm:
    """The details form for a course whose license details are none/optional/required, with
    `required` the details an approval covering the course needs on the certificate, and
    `attestation` the sponsor's words the learner confirms."""
    form = DetailsForm(**kwargs)
    form.issue.label.text = submit_label
    form.attest.label.text = attestation
    if license_details == "required":
        required = required | frozenset(REQUIRED_MESSAGES)
    if license_details == "none" and not required:
        for name in LICENSE_FIELDS:
            delattr(form, name)
        return form
    for name in required & set(REQUIRED_MESSAGES):
        field = form[name]
        field.validators = [DataRequired(REQUIRED_MESSAGES[name]), *field.validators[1:]]
        field.flags.required = True
    return form
