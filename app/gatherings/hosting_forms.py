"""The hosts' forms: a message to the attendees, and the answer to an RSVP request."""
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from app.forms import Form
from app.gatherings.hosting import (
    BODY_MAX, BODY_MIN, SUBJECT_MAX, SUBJECT_MIN, Decision, Recipients, clean_body, clean_subject,
)

SUBJECT_RULE = f"Write a subject of {SUBJECT_MIN} to {SUBJECT_MAX} characters."
BODY_RULE = f"Write a message of {BODY_MIN} to {BODY_MAX:,} characters."


class MessageForm(Form):
    subject = StringField("Subject", render_kw={"maxlength": SUBJECT_MAX},
                          validators=[InputRequired(SUBJECT_RULE)])
    body = TextAreaField("Message", render_kw={"rows": 10}, validators=[InputRequired(BODY_RULE)])
    recipients = RadioField("Send it to", default=Recipients.GOING.value,
                            choices=[SelectChoice(choice.value, choice.label) for choice in Recipients],
                            validators=[InputRequired("Choose who gets the message.")])

    # Lengths as the service counts them (spaces folded, line ends as one character).
    def validate_subject(self, field):
        if not SUBJECT_MIN <= len(clean_subject(field.data)) <= SUBJECT_MAX:
            raise ValidationError(SUBJECT_RULE)

    def validate_body(self, field):
        if not BODY_MIN <= len(clean_body(field.data)) <= BODY_MAX:
            raise ValidationError(BODY_RULE)


class AnswerForm(Form):
    """Approve or Decline: two buttons named `decision` (and the CSRF token)."""

    decision = SelectField(choices=[SelectChoice(choice.value, choice.value.capitalize())
                                    for choice in Decision],
                           validators=[InputRequired("Choose Approve or Decline.")])
