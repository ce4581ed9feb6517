"""Forms for the admin pages."""
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from app.models.accounts import Role


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(role.value, role.label) for role in Role])
