"""Forms for the admin pages."""
from app.forms import Form
from wtforms import SelectChoice, SelectField

from app.models.accounts import Role


class RoleForm(Form):
    role = SelectField("Role", choices=[SelectChoice(role.value, role.label) for role in Role])
