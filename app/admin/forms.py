"""Forms for the admin pages."""
from app.forms import Form
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.models.accounts import Role


class RoleForm(Form):
    role = SelectField("Role", choices=[SelectChoice(role.value, role.label) for role in Role])


class DeclineForm(Form):
    """Declining a leader application: the reason is mailed to the applicant."""
    reason = TextAreaField("Reason", filters=[lambda text: text.strip() if text else text], validators=[
        DataRequired("Enter the reason for declining: we email it to the applicant."),
        Length(max=2000, message="Write at most 2,000 characters.")])
