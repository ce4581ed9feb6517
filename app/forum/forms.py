"""Forms for writing in the forum: a new thread, a reply, an edit, a confirmation."""
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.forms import Form
from app.forum.posting import BODY_MAX, TITLE_MAX

# The rules (lengths, guidelines, pauses, duplicates) are the service's: the forms only carry
# the text, so a refusal comes back with the service's message and the text still typed.


class MessageForm(Form):
    body = TextAreaField("Your message", render_kw={"rows": 8, "maxlength": BODY_MAX,
                                                    "data-mentions": "", "data-draft": ""})
    accept_guidelines = BooleanField("I have read the community guidelines and will keep to them")
    follow = BooleanField("Email me when people reply", default=True)
    form_token = HiddenField()


class ThreadForm(MessageForm):
    title = StringField("Title", render_kw={"maxlength": TITLE_MAX},
                        validators=[Length(max=TITLE_MAX + 50)])


class EditForm(Form):
    title = StringField("Title", render_kw={"maxlength": TITLE_MAX})
    body = TextAreaField("Your message", render_kw={"rows": 10, "maxlength": BODY_MAX})
    version = HiddenField()


class StewardMessageForm(Form):
    message = TextAreaField("Your message", validators=[
        InputRequired("Write your message."),
        Length(min=10, max=3000, message="Write a message of 10 to 3,000 characters.")],
        render_kw={"rows": 8})
