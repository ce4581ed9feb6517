"""The base of every form on the site: a FlaskForm that can come back filled with what was typed.

When a form is refused because its session ended or its token expired, app.kept keeps what
was typed and sends the person back to the page (after logging in, if need be) with
``?kept=<token>`` in the address. The form on that page whose fields are the ones that were
sent then reads the kept text as if it had just been sent, without validating it, and says in
its error summary what happened, so the person sees everything they typed and only has to
send it again.
"""
from flask import g
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted

from app import kept


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            # On a GET, a form drawn from its object (formdata=None) is filled with kept text too.
            if (formdata is _Auto or formdata is None) and not _is_submitted():
                data = g.get("kept_form_data")
                if data is not None and kept.fits(form, data):
                    form.kept_text_shown = True
                    return data
            return super().wrap_formdata(form, formdata)

    kept_text_shown = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.kept_text_shown:
            self.form_errors.append(kept.MESSAGE)
