"""Leader profiles: the public page, editing one's own, photos, contact and applying to lead."""
import math
from urllib.parse import parse_qsl, urlencode

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError

from app import permissions
from app.auth.forms import ConfirmForm
from app.blog.services import published_posts_by
from app.directory import applications, drawing, location, photos, services
from app.directory.forms import ApplicationForm, ContactForm, PhotoForm, ProfileForm
from app.directory.search_forms import LINK_PARAMS
from app.forum import reading as forum_reading
from app.extensions import db
from app.geo.privacy import CELL_KM
from app.models.directory import LeaderProfile, Precision
from app.text.markdown import render_markdown
from app.urls import site_url

bp = Blueprint("directory", __name__, url_prefix="/leaders")


def get_profile(slug: str, *, edit: bool = False) -> LeaderProfile:
    """The profile the current user may see (404 otherwise) or, with edit, change (403)."""
    profile = services.profile_by_slug(slug)
    if profile is None or not permissions.can_view_profile(current_user, profile):
        abort(404)
    if edit and not permissions.can_edit_profile(current_user, profile):
        abort(403)
    return profile


# The public page ---------------------------------------------------------------------------

@bp.get("/<slug>")
def profile(slug):
    found = get_profile(slug)
    return _render_profile(found, preview=False)


@bp.get("/<slug>/preview")
@login_required
def preview(slug):
    found = get_profile(slug, edit=True)
    return _render_profile(found, preview=True)


def _render_profile(found: LeaderProfile, preview: bool):
    # In preview the owner sees the page exactly as a visitor would: no private parts.
    private = not preview and permissions.can_see_exact_location(current_user, found)
    return render_template(
        "directory/profile.html", profile=found, preview=preview, private=private,
        place_entered=location.place_box_text(found), area_map=_area_map(found),
        back_to_results=_back_to_results(request.args.get("results")),
        canonical=site_url("directory.profile", slug=found.slug),
        bio=Markup(render_markdown(found.bio)) if found.bio else None,
        links=[line for line in found.links.splitlines() if line.strip()],
        languages=services.split_list(found.languages),
        posts=published_posts_by(found.user_id, limit=5),
        forum_posts=[] if preview else forum_reading.recent_by(found.user, current_user, 5),
        can_edit=not preview and permissions.can_edit_profile(current_user, found),
        can_contact=not preview and permissions.can_contact(current_user, found),
        confirm_form=ConfirmForm(),
    )


# The small map of where a leader works: only the public point, which for a city-level leader
# is a cell's centre, drawn as a circle around the whole cell (half its diagonal), never a pin.
AREA_RADIUS_KM = round(CELL_KM / 2 * math.sqrt(2), 1)
# ?results= (the search a visitor came from): at most this long, each value at most RESULT_VALUE_MAX.
RESULTS_MAX_LENGTH = 2000
RESULT_VALUE_MAX = 200


def _area_map(found: LeaderProfile) -> dict | None:
    """What the profile page's map draws (and says in words); None without a public point."""
    if found.public_lat is None or found.public_lng is None:
        return None
    place = services.public_place(found)
    area = found.precision == Precision.CITY
    return {
        "tiles": {"url": current_app.config["MAP_TILE_URL"],
                  "attribution": current_app.config["MAP_TILE_ATTRIBUTION"]},
        "lat": found.public_lat, "lng": found.public_lng,
        "radius_km": AREA_RADIUS_KM if area else None,
        "text": (f"Area shown: {place or 'about 10 km across'}" if area
                 else f"Place shown: {place or 'the point on the map'}"),
    }


def _back_to_results(raw: str | None) -> str | None:
    """The search page a visitor came from, rebuilt from ?results= with only the search's own
    parameters (LINK_PARAMS), each once and of bounded length; None when nothing usable is left."""
    if not raw or len(raw) > RESULTS_MAX_LENGTH:
        return None
    try:
        pairs = parse_qsl(raw, keep_blank_values=False)
    except ValueError:
        return None
    kept: dict[str, str] = {}
    for name, value in pairs:
        if (name in LINK_PARAMS and name not in kept and len(value) <= RESULT_VALUE_MAX
                and value.isprintable()):
            kept[name] = value
    if not kept:
        return None
    return url_for("search.index") + "?" + urlencode(kept)


@bp.get("/photos/<name>")
def photo(name):
    # Served while the profile may be seen: a hidden or deleted profile's photo is gone too.
    found = photos.profile_with_photo(name)
    if found is None or not permissions.can_view_profile(current_user, found):
        abort(404)
    return photos.send_photo(name, everyone=permissions.can_view_profile(None, found))


# One's own profile --------------------------------------------------------------------------

@bp.route("/me", methods=["GET", "POST"])
@login_required
def my_profile():
    found = services.profile_of(current_user)
    if found is not None:
        return redirect(url_for("directory.edit_profile", slug=found.slug))
    if not permissions.can_have_profile(current_user):
        return redirect(url_for("directory.apply"))
    form = ConfirmForm()
    if form.validate_on_submit():
        created = services.create_profile(current_user)
        db.session.commit()
        flash("Your profile is started. Add where you are and a few words about your work.",
              "success")
        return redirect(url_for("directory.edit_profile", slug=created.slug))
    return render_template("directory/start.html", form=form)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_profile(slug):
    found = get_profile(slug, edit=True)
    form = ProfileForm(data=None if request.method == "POST" else _form_data(found))
    form.set_choices(services.official_focus_areas(), services.all_programs())
    if form.validate_on_submit():
        if services.is_outdated(found, form.version.data):
            return _profile_conflict(found.id, form)
        profile_id = found.id
        if _apply_location(found, form):
            try:
                # A field left out of the request (not just empty) arrives as None.
                text = {name: form[name].data or "" for name in (
                    "display_name", "headline", "bio", "quote", "languages", "website", "links",
                    "free_tags")}
                services.update_profile(
                    found, **text, works_online=form.works_online.data,
                    contact_enabled=form.contact_enabled.data,
                    focus_area_ids=form.focus_areas.data or [],
                    program_ids=form.programs.data or [])
                db.session.commit()
            except services.DirectoryError as error:
                db.session.rollback()
                form.free_tags.errors.append(str(error))
            except StaleDataError:  # saved by another request between our read and our write
                return _profile_conflict(profile_id, form)
            else:
                flash("Your profile is saved." if found.user_id == current_user.id
                      else f"{found.display_name}'s profile is saved.", "success")
                return redirect(url_for("directory.edit_profile", slug=found.slug))
    return render_template("directory/edit.html", profile=found, form=form,
                           confirm_form=ConfirmForm(), will_be_saved=_will_be_saved(found, form))


def _profile_conflict(profile_id: int, form: ProfileForm):
    """Someone saved the profile after this form was opened: show both, keep what was typed."""
    db.session.rollback()
    saved = db.session.get(LeaderProfile, profile_id)
    form.version.data = saved.version  # saving again now keeps the typed version
    form.set_choices(services.official_focus_areas(), services.all_programs())
    differences = [(form[name].label.text, value) for name, value in _form_data(saved).items()
                   if name in CONFLICT_FIELDS and (form[name].data or "") != (value or "")]
    return render_template("directory/edit.html", profile=saved, form=form,
                           confirm_form=ConfirmForm(), conflict=differences,
                           will_be_saved=_will_be_saved(saved, form)), 409


CONFLICT_FIELDS = ("display_name", "headline", "bio", "quote", "languages", "website", "links",
                   "free_tags", "place")


def _form_data(found: LeaderProfile) -> dict:
    return {
        "display_name": found.display_name, "headline": found.headline, "bio": found.bio,
        "quote": found.quote, "languages": found.languages, "website": found.website,
        "links": found.links, "works_online": found.works_online,
        "contact_enabled": found.contact_enabled,
        "focus_areas": [area.id for area in found.focus_areas if area.official],
        "free_tags": ", ".join(area.name for area in found.focus_areas if not area.official),
        "programs": [item.program_id for item in found.programs],
        "place": location.place_box_text(found), "precision": found.precision.value,
        "version": found.version,
        # A saved pin is drawn in its fields (and on the map), so saving again keeps it.
        **({"pin_lat": round(found.lat, 5), "pin_lng": round(found.lng, 5)}
           if location.is_pinned(found) else {}),
    }


def _location_source(found: LeaderProfile, form: ProfileForm) -> str:
    """"pin", "place" or "kept": which location this form saves (location.choose_location)."""
    last_used = form.location_from.data if form.location_from.data in location.LAST_USED else None
    pin_given = form.pin_lat.data is not None and form.pin_lng.data is not None
    return location.choose_location(form.place.data or "", location.place_box_text(found),
                                    pin_given, last_used)


def _will_be_saved(found: LeaderProfile, form: ProfileForm) -> str:
    """The location a save would keep, in words (the form as drawn, so after a refused save
    the one it would save next time)."""
    if request.method != "POST":
        return location.location_summary(found)
    source = _location_source(found, form)
    typed = " ".join((form.place_choice.data or form.place.data or "").split())
    if source == "pin":
        return "the pin on the map, at the point you gave"
    if source == "place":
        return f"{typed} (the place you typed)" if typed else "no location (the place box is empty)"
    return location.location_summary(found)


def _apply_location(found: LeaderProfile, form: ProfileForm) -> bool:
    """Set the location from the pin or the place typed, whichever the leader used last;
    False (with errors on the form) if the place is unclear.

    The geocoder runs before anything is written in this request.
    """
    precision = Precision(form.precision.data)
    place = (form.place.data or "").strip()
    source = _location_source(found, form)
    if source == "pin":
        location.set_location_from_pin(found, form.pin_lat.data, form.pin_lng.data, precision)
        return True
    if source == "kept" and not form.place_choice.data:
        location.set_precision(found, precision)
        return True
    if not place:
        location.clear_location(found)
        location.set_precision(found, precision)
        return True
    answer = location.look_up_place(place, form.place_choice.data)
    if answer.chosen is None:
        form.place.errors.append(answer.message)
        form.place_choice.choices = [candidate.label for candidate in answer.choices]
        form.place_choice.data = None
        return False
    location.set_location_from_place(found, place, answer.chosen, precision)
    return True


@bp.route("/<slug>/photo", methods=["GET", "POST"])
@login_required
def edit_photo(slug):
    found = get_profile(slug, edit=True)
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            services.replace_photo(found, form.photo.data.stream)
        except photos.PhotoError as error:
            form.photo.errors.append(str(error))
        else:
            db.session.commit()
            flash("Your new photo is on your profile.", "success")
            return redirect(url_for("directory.edit_profile", slug=found.slug))
    return render_template("directory/photo.html", profile=found, form=form,
                           confirm_form=ConfirmForm())


@bp.post("/<slug>/photo/remove")
@login_required
def remove_photo(slug):
    found = get_profile(slug, edit=True)
    if ConfirmForm().validate_on_submit():
        services.remove_photo(found)
        db.session.commit()
        flash("The photo is removed. Your initials show instead.", "success")
    return redirect(url_for("directory.edit_profile", slug=found.slug))


@bp.post("/<slug>/hide")
@login_required
def hide(slug):
    found = get_profile(slug, edit=True)
    if ConfirmForm().validate_on_submit():
        services.set_listed(found, False)
        db.session.commit()
        flash("The profile is hidden. Nobody else can find or open it until you show it again.",
              "success")
    return redirect(url_for("directory.edit_profile", slug=found.slug))


@bp.post("/<slug>/unhide")
@login_required
def unhide(slug):
    found = get_profile(slug, edit=True)
    if ConfirmForm().validate_on_submit():
        services.set_listed(found, True)
        db.session.commit()
        flash("The profile is listed again: people can find it in the directory.", "success")
    return redirect(url_for("directory.edit_profile", slug=found.slug))


@bp.route("/<slug>/delete", methods=["GET", "POST"])
@login_required
def delete(slug):
    found = get_profile(slug, edit=True)
    form = ConfirmForm()
    if form.validate_on_submit():
        own = found.user_id == current_user.id
        name = found.display_name
        services.delete_profile(found)
        db.session.commit()
        flash("Your profile is deleted. Your account stays; you can start a new profile any time."
              if own else f"{name}'s profile is deleted.", "success")
        return redirect(url_for("directory.my_profile") if own else url_for("pages.home"))
    return render_template("directory/delete.html", profile=found, form=form)


# Contacting a leader ------------------------------------------------------------------------

@bp.route("/<slug>/contact", methods=["GET", "POST"])
@login_required
def contact(slug):
    found = get_profile(slug)
    if not permissions.can_contact(current_user, found):
        reason = ("You cannot send a message to yourself." if found.user_id == current_user.id
                  else "Confirm your email address first: follow the link we sent you."
                  if not current_user.is_verified
                  else f"{found.display_name} is not taking messages through the site just now.")
        return render_template("directory/contact_closed.html", profile=found, reason=reason), 403
    form = ContactForm()
    if form.validate_on_submit():
        try:
            services.send_message(current_user, found, form.message.data)
        except services.ContactLimitReached as error:
            return render_template("directory/contact.html", profile=found, form=form,
                                   limit_message=str(error)), 429
        db.session.commit()
        flash(f"Your message was sent to {found.display_name}. Their reply will come to your "
              "email address.", "success")
        return redirect(url_for("directory.profile", slug=found.slug))
    return render_template("directory/contact.html", profile=found, form=form)


# Becoming a leader --------------------------------------------------------------------------

@bp.route("/apply", methods=["GET", "POST"])
def apply():
    if not current_user.is_authenticated:
        if request.method == "POST" or "kept" in request.args:  # typed text comes back after login
            return current_app.login_manager.unauthorized()
        return render_template("directory/apply.html", form=None, pending=None, can_apply=False)
    if permissions.can_have_profile(current_user):
        return redirect(url_for("directory.my_profile"))
    pending = applications.pending_application(current_user)
    form = ApplicationForm()
    if pending is None and permissions.can_apply_to_lead(current_user) and form.validate_on_submit():
        try:
            applications.apply_to_lead(current_user, form.motivation.data)
        except services.DirectoryError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Your application was sent to the administrators. You will get an email when "
                  "they decide.", "success")
        return redirect(url_for("directory.apply"))
    return render_template("directory/apply.html", form=form, pending=pending,
                           can_apply=permissions.can_apply_to_lead(current_user))


# For other templates -------------------------------------------------------------------------

@bp.app_template_global("pending_leader_application")
def pending_leader_application():
    """The signed-in member's application waiting for a decision (None for everyone else)."""
    if not permissions.can_apply_to_lead(current_user):
        return None
    if "pending_leader_application" not in g:  # the header and the page may both ask
        g.pending_leader_application = applications.pending_application(current_user)
    return g.pending_leader_application


@bp.app_template_global("has_pending_leader_application")
def has_pending_leader_application() -> bool:
    """For the navigation: whether the signed-in member's application waits for a decision."""
    if not permissions.can_apply_to_lead(current_user):
        return False
    if "pending_leader_application" in g:
        return g.pending_leader_application is not None
    return applications.has_pending_application(current_user)


bp.add_app_template_filter(drawing.initials, "initials")
bp.add_app_template_global(drawing.leader_card_html, "leader_card_html")


# Home page quotes (called from the home template only, so other pages pay nothing).
bp.add_app_template_global(services.featured_quotes, "featured_quotes")

