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
from markupsafe import Markup, escape

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


def field_html(field, hint=None, class_: str = "", attrs: dict | None = None) -> Markup:
    """One field after the GOV.UK pattern: label, hint, the error next to it, then the input (a
    checkbox before its label; radios in a fieldset). What templates/_macros/forms.html's
    `render_field` draws: the macro passes its arguments on. In Python because every form on the
    site draws its fields through it; the gain is small (about 2 % of a /leaders page, where
    WTForms' own inputs cost most: see search_routes.search_bar_html for what pays there)."""
    attrs = dict(attrs or {})
    hint_id, error_id = f"{escape(field.id)}-hint", f"{escape(field.id)}-error"
    errors = field.errors
    described = ([hint_id] if hint else []) + ([error_id] if errors else [])
    if described:
        attrs["aria-describedby"] = Markup(" ".join(described))
    if errors:
        attrs["aria-invalid"] = "true"
    error = (f'<p class="field__error" id="{error_id}"><span class="visually-hidden">Error:</span> '
             f'{escape(" ".join(errors))}</p>' if errors else "")
    hint_html = f'<p class="field__hint" id="{hint_id}">{escape(hint)}</p>' if hint else ""
    classes = f'field{" field--error" if errors else ""} {escape(class_)}'
    if field.type == "BooleanField":
        return Markup(f'<div class="field field--checkbox{" field--error" if errors else ""} {escape(class_)}">'
                      f'{error}{field(**attrs)}{field.label(**{"class": "field__label field__label--inline"})}'
                      f"{hint_html}</div>")
    if field.type == "RadioField":
        described_html = f' aria-describedby="{" ".join(described)}"' if described else ""
        options = "".join(f'<div class="radio">{option()} {option.label()}</div>' for option in field)
        return Markup(f'<fieldset class="{classes}"{described_html}><legend class="field__label">'
                      f"{escape(field.label.text)}</legend>{hint_html}{error}{options}</fieldset>")
    return Markup(f'<div class="{classes}">{field.label(**{"class": "field__label"})}{hint_html}{error}'
                  f'{field(**{"class": "field__input"}, **attrs)}</div>')
