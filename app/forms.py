"""The base of every form on the site: a FlaskForm that can come back filled with what was typed.

When a form is refused because its session ended or its token expired, app.kept keeps what
was typed and sends the person back to the page (after logging in, if need be) with
``?kept=<token>`` in the address. Any form drawn on that page then reads the kept text as if
it had just been sent, without validating it, so the person sees everything they typed and
only has to send it again.
"""
from flask import g
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and not _is_submitted():
                kept = g.get("kept_form_data")
                if kept is not None:
                    return kept
            return super().wrap_formdata(form, formdata)
