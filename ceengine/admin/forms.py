"""Admin forms: sign-in, the report filters, moderation, revoke and reissue."""

from __future__ import annotations

from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from ceengine.admin.roles import OWNER, REVIEWER, ROLE_LABELS, STAFF
from ceengine.completion.forms import (
    license_number_field,
    license_state_field,
    license_type_field,
    profession_field,
)
from ceengine.text import (
    FULL_NAME_MAX,
    clean_text,
    printable,
)

F = TypeVar("F", bound=FlaskForm)


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email",
        filters=[clean_text],
        validators=[DataRequired("Enter your email address."), Length(max=254)],
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=1000)]
    )
    submit = SubmitField("Sign in")


class ActionForm(FlaskForm):
    """A button that changes something (a form, so it carries a CSRF token)."""

    submit = SubmitField("Confirm")


class CeBrokerReportedForm(FlaskForm):
    """The admin uploaded the CE Broker roster: mark exactly the completions it held."""

    ids = HiddenField(
        validators=[
            DataRequired("The roster held no completion to mark."),
            Length(max=200_000),
            Regexp(r"^[0-9]{1,10}(,[0-9]{1,10})*$", message="The roster's list is not valid."),
        ]
    )
    submit = SubmitField("Mark as reported")

    def certificate_ids(self) -> list[int]:
        """The certificate ids the page listed."""
        return [int(i) for i in self.ids.data.split(",")]


class FilterForm(FlaskForm):
    """Course and date range, read from the query string."""

    class Meta:
        csrf = False  # a GET form that only filters what is shown

    course = SelectField("Course", choices=[], validate_choice=False, default="")
    start = DateField("From", validators=[Optional()], render_kw={"aria-describedby": "dates-hint"})
    end = DateField("To", validators=[Optional()], render_kw={"aria-describedby": "dates-hint"})
    q = StringField("Search", filters=[clean_text], validators=[Optional(), Length(max=200)])
    status = SelectField("Status", choices=[], validate_choice=False, default="")
    submit = SubmitField("Show")

    def validate_end(self, field: DateField) -> None:
        """The range must not end before it starts."""
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date is before the start date.")


EMAIL_LEARNER = "Email the learner"
LICENSE_REQUIRED = {
    "license_type": "Enter the license type: this course's certificate prints it.",
    "license_number": "Enter the license number: this course's certificate prints it.",
    "license_state": "Enter the license state: this course's certificate prints it.",
}


class RevokeForm(FlaskForm):
    """Revoke a certificate, saying why (shown on its public verify page)."""

    reason = StringField(
        "Reason (shown on the public verification page)",
        filters=[clean_text],
        validators=[DataRequired("Give a reason for revoking."), Length(max=200), printable],
    )
    # Own ids: the page shows this form next to the reissue form.
    email_learner = BooleanField(
        EMAIL_LEARNER + " (why, and that the certificate no longer stands)",
        id="revoke-email",
        default=True,
    )
    confirm = BooleanField(
        "I understand that revoking cannot be undone",
        id="revoke-confirm",
        validators=[DataRequired("Tick the box to confirm the revocation.")],
    )
    submit = SubmitField("Revoke certificate", id="revoke-submit")


class ReissueForm(FlaskForm):
    """Reissue a certificate with corrected learner details, saying why."""

    full_name = StringField(
        "Full name on the new certificate",
        filters=[clean_text],
        validators=[DataRequired("Enter the full name."), Length(max=FULL_NAME_MAX), printable],
    )
    email = EmailField(
        "Email for the new certificate",
        filters=[clean_text],
        validators=[
            DataRequired("Enter the email address."),
            Email(
                "Enter an email address like name@example.org.",
                check_deliverability=False,
                allow_smtputf8=False,
            ),
            Length(max=254),
        ],
    )
    # The same fields and rules as the learner's own details form.
    profession = profession_field()
    license_type = license_type_field()
    license_number = license_number_field()
    license_state = license_state_field()
    reason = StringField(
        "Reason for the correction (kept in the audit trail)",
        id="reissue-reason",
        filters=[clean_text],
        validators=[
            DataRequired("Give a reason for the correction."),
            Length(max=200),
            printable,
        ],
    )
    email_learner = BooleanField(
        EMAIL_LEARNER + " (what changed, why, and the new certificate's link)",
        id="reissue-email",
        default=True,
    )
    confirm = BooleanField(
        "Replace the current certificate (its number will show Superseded)",
        id="reissue-confirm",
        validators=[DataRequired("Tick the box to confirm the reissue.")],
    )
    submit = SubmitField("Reissue certificate", id="reissue-submit")

    def require_license(self, names: frozenset[str]) -> ReissueForm:
        """Make the license details this course's certificate must print required."""
        for name in names & set(LICENSE_REQUIRED):
            field = self[name]
            field.validators = [DataRequired(LICENSE_REQUIRED[name]), *field.validators[1:]]
            field.flags.required = True
        return self

    def corrections(self) -> dict[str, str]:
        """The printed details as the admin set them."""
        return {
            name: self[name].data or ""
            for name in (
                "full_name",
                "email",
                "profession",
                "license_type",
                "license_number",
                "license_state",
            )
        }


class ResendForm(FlaskForm):
    """Send a certificate's email again; the one-time key makes a double click send one."""

    key = HiddenField(
        validators=[
            DataRequired("The form has expired: load the page again."),
            Regexp(r"^[A-Za-z0-9_-]{16,64}$", message="The form has expired: load the page again."),
        ]
    )
    submit = SubmitField("Resend certificate email")


class LearnerSearchForm(FlaskForm):
    """Find learners by the start of their email, name or last name (a GET form)."""

    class Meta:
        csrf = False  # it only finds what is shown

    q = StringField(
        "Email or name",
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=200, message="Keep the search under 200 characters."),
            printable,
        ],
    )


ROLE_CHOICES = [SelectChoice(role, ROLE_LABELS[role]) for role in (STAFF, REVIEWER, OWNER)]


def _a_role(_form: FlaskForm, field: SelectField) -> None:
    """A role must be chosen. (Not DataRequired: its `required` flag would put `required` on
    a select whose first option is a real role, which HTML does not allow.)"""
    if not field.data:
        raise ValidationError("Choose a role.")


class InviteForm(FlaskForm):
    """An owner invites someone to the console, with a role."""

    email = EmailField(
        "Email address to invite",
        filters=[clean_text],
        validators=[
            DataRequired("Enter the email address to invite."),
            Email(
                "Enter an email address like name@example.org.",
                check_deliverability=False,
                allow_smtputf8=False,
            ),
            Length(max=254),
        ],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default="staff", validators=[_a_role])
    submit = SubmitField("Send invitation")


def reason_field(label: str = "Reason", required: str | None = None) -> StringField:
    """Why an admin acts, kept in the audit trail: optional unless `required` (its message)."""
    first = DataRequired(required) if required else Optional()
    return StringField(
        label,
        filters=[clean_text],
        validators=[
            first,
            Length(max=200, message="Keep the reason under 200 characters."),
            printable,
        ],
    )


def first_error(form: FlaskForm) -> str:
    """The form's first error message (for an action whose page has no field to show it on)."""
    return next(error for errors in form.errors.values() for error in errors)


def with_ids(form: F, prefix: str) -> F:
    """The form's fields with ids starting `prefix-` (a page with several forms that share
    field names still has one element per id, and each label its own field)."""
    for field in form:
        if field.type not in ("CSRFTokenField", "HiddenField"):
            field.id = field.label.field_id = f"{prefix}-{field.short_name}"
    return form


class ReasonForm(FlaskForm):
    """An action with an optional reason for the audit trail (moderation, deactivation,
    cancelling an invitation)."""

    reason = reason_field()
    submit = SubmitField("Confirm")


class RoleForm(FlaskForm):
    """An owner sets another admin's role."""

    role = SelectField("Role", choices=ROLE_CHOICES, validators=[_a_role])
    reason = reason_field()
    submit = SubmitField("Set role")


class ResetTwoFactorForm(FlaskForm):
    """An owner resets another admin's two-factor sign-in, saying why."""

    reason = reason_field(required="Say why you reset their two-factor sign-in.")
    submit = SubmitField("Reset two-factor sign-in")


class NewPasswordForm(FlaskForm):
    """An invited admin chooses a password."""

    password = PasswordField(
        "Choose a password (at least 12 characters)",
        validators=[DataRequired("Choose a password."), Length(max=1000)],
    )
    confirm = PasswordField(
        "The same password again",
        validators=[DataRequired("Type the password again."), Length(max=1000)],
    )
    submit = SubmitField("Join the admin console")

    def validate_confirm(self, field: PasswordField) -> None:
        """Both passwords must be the same."""
        if field.data != self.password.data:
            raise ValidationError("The two passwords are not the same.")


class CodeForm(FlaskForm):
    """A code from the authenticator app, or a recovery code."""

    code = StringField(
        "Code",
        filters=[clean_text],
        validators=[DataRequired("Enter the code."), Length(max=40)],
        render_kw={"inputmode": "text", "autocapitalize": "off", "spellcheck": "false"},
    )
    submit = SubmitField("Continue")


class CurrentCodeForm(FlaskForm):
    """A code from the admin's authenticator app, to confirm a change to their own
    two-factor sign-in (new recovery codes, turning it off)."""

    code = StringField(
        "Code from your authenticator app",
        filters=[clean_text],
        validators=[DataRequired("Enter the 6-digit code your app shows."), Length(max=40)],
        render_kw={"inputmode": "numeric", "autocapitalize": "off", "spellcheck": "false"},
    )
