"""Forms for changing one's own password and email, and for leaving."""
from flask_login import current_user
from app.forms import Form
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField
from wtforms.validators import EqualTo, InputRequired, StopValidation

from app.auth.forms import email_field, new_password_field


def is_current_password(form, field):
    """Changes to one's own account need the password of the person signed in."""
    if not current_user.check_password(field.data or ""):
        raise StopValidation("Your current password is not right.")


def current_password_field():
    return PasswordField("Current password",
                         validators=[InputRequired("Enter your current password."),
                                     is_current_password],
                         render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(Form):
    current_password = current_password_field()
    password = new_password_field("New password")
    confirm = PasswordField("Confirm new password", validators=[
        InputRequired("Enter the new password again."),
        EqualTo("password", "The two passwords do not match. Enter the same password twice."),
    ], render_kw={"autocomplete": "new-password"})


class ChangeEmailForm(Form):
    email = email_field("New email address")
    current_password = current_password_field()


class DeleteAccountForm(Form):
    current_password = current_password_field()
    understood = BooleanField("I understand that my account and everything in it will be "
                              "deleted, and that this cannot be undone",
                              validators=[InputRequired("Tick the box to confirm you "
                                                        "want to delete your account.")])


class TimeZoneForm(Form):
    """The zone times are shown in (gatherings); the browser's is proposed when none is chosen."""
    time_zone = SelectField("Your time zone", choices=[], validate_choice=False,
                            render_kw={"data-propose-zone": ""})

    def load_choices(self) -> None:
        from app.gatherings.times import zone_names
        self.time_zone.choices = [SelectChoice("", "Not chosen: show each gathering in its own zone")] + [
            SelectChoice(name, name.replace("_", " ")) for name in zone_names()]
