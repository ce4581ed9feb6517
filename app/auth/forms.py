"""Forms for signing up, logging in and resetting a password."""
from app.forms import Form
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from app.auth.passwords import MAX_LENGTH, password_problem


class GoodPassword:
    """Applies the password rule; other fields named in `inputs` count as guessable words."""

    def __init__(self, *inputs: str):
        self.inputs = inputs

    def __call__(self, form, field):
        words = [getattr(form, name).data or "" for name in self.inputs if hasattr(form, name)]
        problem = password_problem(field.data or "", user_inputs=words)
        if problem:
            raise ValidationError(problem)


def email_field(label="Email address"):
    return EmailField(label, validators=[
        InputRequired("Enter your email address."),
        Length(max=254, message="Enter an email address of at most 254 characters."),
        Email("Enter an email address in the right format, like name@example.com."),
    ], render_kw={"autocomplete": "email", "spellcheck": "false"})


def new_password_field(label="Password", *inputs):
    return PasswordField(label, validators=[InputRequired("Enter a password."),
                                            GoodPassword(*inputs)],
                         render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH})


class RegisterForm(Form):
    display_name = StringField("Your name", validators=[
        InputRequired("Enter your name as you would like others to see it."),
        Length(max=80, message="Enter a name of at most 80 characters."),
    ], render_kw={"autocomplete": "name"})
    email = email_field()
    password = new_password_field("Password", "email", "display_name")


class LoginForm(Form):
    email = email_field()
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me logged in on this device")


class ForgotPasswordForm(Form):
    email = email_field()


class ResetPasswordForm(Form):
    password = new_password_field("New password")
    confirm = PasswordField("Confirm new password", validators=[
        InputRequired("Enter the new password again."),
        EqualTo("password", "The two passwords do not match. Enter the same password twice."),
    ], render_kw={"autocomplete": "new-password"})


class ConfirmForm(Form):
    """A button and a CSRF token: for actions that need a POST and nothing else."""
