"""Who may do what: every can_<verb>(user, obj) in one place, for views and templates."""
from app.models.accounts import Role


def is_signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_admin(user) -> bool:
    return is_signed_in(user) and user.role == Role.ADMIN


def is_editor(user) -> bool:
    """Editors and admins review proposals."""
    return is_signed_in(user) and user.role in (Role.EDITOR, Role.ADMIN)


def can_manage_users(user) -> bool:
    return is_admin(user)


def can_change_role(user, target) -> bool:
    """Admins change other people's roles; never their own, so the last admin stays one."""
    return is_admin(user) and target.id != user.id


def can_deactivate(user, target) -> bool:
    return is_admin(user) and target.id != user.id


# Leaders Blog ------------------------------------------------------------------------------
# Proposals are duck-typed here (author_id, state, first_submitted_at) to keep imports one-way.

EDITOR_COPY_EDIT_STATES = ("in_review", "approved", "scheduled")


def can_create_proposal(user) -> bool:
    """Leaders pitch stories; editors and admins may too."""
    return is_signed_in(user) and user.role in (Role.LEADER, Role.EDITOR, Role.ADMIN)


def can_view_proposal(user, proposal) -> bool:
    """The author always; editors once it has been submitted (a fresh draft is the author's alone)."""
    if not is_signed_in(user):
        return False
    if proposal.author_id == user.id:
        return True
    return is_editor(user) and proposal.first_submitted_at is not None


def can_edit_proposal(user, proposal) -> bool:
    """Authors edit drafts and proposals sent back; editors make copy edits while reviewing."""
    from app.editorial.workflow import author_can_edit
    if not is_signed_in(user):
        return False
    if proposal.author_id == user.id and author_can_edit(proposal.state):
        return True
    return (is_editor(user) and proposal.author_id != user.id
            and str(proposal.state) in EDITOR_COPY_EDIT_STATES)


def can_comment(user, proposal) -> bool:
    return can_view_proposal(user, proposal)


def can_change_comment(user, comment) -> bool:
    """Only the writer edits or deletes a comment, and only while it is not deleted."""
    return (is_signed_in(user) and comment.writer_id == user.id and comment.deleted_at is None)


# Leader directory --------------------------------------------------------------------------
# Profiles are duck-typed (user_id, is_public, contact_enabled) to keep imports one-way;
# is_public is the one rule for "anyone may see it" (models/directory.py LeaderProfile.is_public).

def can_have_profile(user) -> bool:
    """Leaders keep a directory profile; admins may make one too (to try the site)."""
    return is_signed_in(user) and user.role in (Role.LEADER, Role.ADMIN)


def _owns(user, profile) -> bool:
    return is_signed_in(user) and profile.user_id == user.id


def can_view_profile(user, profile) -> bool:
    """Listed profiles of active accounts for everyone; hidden ones for the owner and admins."""
    return _owns(user, profile) or is_admin(user) or profile.is_public


def can_edit_profile(user, profile) -> bool:
    return _owns(user, profile) or is_admin(user)


def can_see_exact_location(user, profile) -> bool:
    """The private point: the owner and admins only; everyone else sees the public point."""
    return _owns(user, profile) or is_admin(user)


def can_contact(user, profile) -> bool:
    """Signed-in visitors with a confirmed email, to leaders who accept messages, not themselves."""
    return (is_signed_in(user) and user.is_verified and not _owns(user, profile)
            and profile.contact_enabled and profile.is_public)


def can_offer_contact(user, profile) -> bool:
    """Whether a leader's card offers "Message": to those who may contact them, and to visitors
    who are not signed in when the leader takes messages (the link goes through the login)."""
    return can_contact(user, profile) or (not is_signed_in(user) and profile.contact_enabled
                                          and profile.is_public)


def can_apply_to_lead(user) -> bool:
    return is_signed_in(user) and user.role == Role.MEMBER


def can_manage_directory(user) -> bool:
    """Applications, focus areas, programs, verified badges and featured quotes."""
    return is_admin(user)

# Forum -------------------------------------------------------------------------------------
# Categories (members_only, stewards), threads (locked, category) and posts (author_id,
# is_gone, status) are duck-typed here too.

def can_read_category(user, category) -> bool:
    """Everyone reads the open categories; members-only ones need an account. Nobody reads a
    private category as a whole (its list, feed, search): only its threads, see can_read_thread."""
    if getattr(category, "private", False):
        return False
    return not category.members_only or is_signed_in(user)


def can_read_thread(user, thread) -> bool:
    """A thread of a category the person reads; in a private category (a learning partnership's
    discussion), only the partnership's current partners read it."""
    if getattr(thread.category, "private", False):
        from app.models.partnerships import partner_in_thread  # its one rule, read late
        return is_signed_in(user) and partner_in_thread(user.id, thread.id)
    return can_read_category(user, thread.category)


_STEWARDED_BY = "_stewarded_by"  # is_steward's answers, kept on the category object


def forget_stewards(category) -> None:
    """After a category's stewards change: is_steward asks again."""
    category.__dict__.pop(_STEWARDED_BY, None)


def is_steward(user, category) -> bool:
    """Whether the person stewards the category: from its stewards when they are loaded, else
    one look at forum_stewards, kept on the category object for the rest of the request."""
    if not is_signed_in(user):
        return False
    loaded = category.__dict__.get("stewards")
    if loaded is not None:
        return any(person.id == user.id for person in loaded)
    asked = category.__dict__.setdefault(_STEWARDED_BY, {})
    if user.id not in asked:
        from app.forum.moderation import stewards_category  # the forum's table, read late
        asked[user.id] = stewards_category(user.id, category.id)
    return asked[user.id]


def can_moderate(user, category) -> bool:
    """A category's stewards moderate it; admins moderate every category but the private ones."""
    if getattr(category, "private", False):
        return False
    return is_admin(user) or is_steward(user, category)


def can_post_in_forum(user) -> bool:
    """Writing in the forum: a logged-in person whose email is confirmed."""
    return is_signed_in(user) and user.is_verified


def can_reply(user, thread) -> bool:
    """Replies to a thread; a locked thread takes them only from its moderators."""
    return (can_post_in_forum(user) and can_read_thread(user, thread)
            and (not thread.locked or can_moderate(user, thread.category)))


def can_appreciate(user, post) -> bool:
    """Someone else's published message that stands, by a person who may write here."""
    return (can_post_in_forum(user) and post.author_id != user.id and not post.is_gone
            and post.status == "published")


def can_edit_post(user, post) -> bool:
    """The writer edits their own message while it stands (not deleted nor removed)."""
    return is_signed_in(user) and post.author_id == user.id and not post.is_gone


def can_delete_post(user, post) -> bool:
    return can_edit_post(user, post)


def can_see_versions(user, post) -> bool:
    """A message's earlier versions: its writer and the category's moderators."""
    return is_signed_in(user) and (post.author_id == user.id or can_moderate(user, post.thread.category))


def can_manage_forum(user) -> bool:
    """Categories, their stewards and the guidelines."""
    return is_admin(user)


# Gatherings ---------------------------------------------------------------------------------
# Gatherings (host_id, cohosts, state, host_ids()) and RSVPs (user_id, status) are duck-typed.

def can_host_gathering(user) -> bool:
    """Leaders host gatherings (editors and admins may too); a confirmed email first."""
    return (is_signed_in(user) and user.is_verified
            and user.role in (Role.LEADER, Role.EDITOR, Role.ADMIN))


def is_gathering_host(user, gathering) -> bool:
    """The host and the co-hosts."""
    return is_signed_in(user) and user.id in gathering.host_ids()


def can_manage_gathering(user, gathering) -> bool:
    """Edit, publish, cancel, see the attendees and message them: the hosts, and admins (not of
    a learning partnership's private meeting, which is its partners' alone)."""
    if getattr(gathering, "partnership_id", None) is not None:
        return is_gathering_host(user, gathering) and can_view_partnership_meeting(user, gathering)
    return is_admin(user) or is_gathering_host(user, gathering)


def can_edit_gathering(user, gathering) -> bool:
    """Its hosts change it until it is over or cancelled."""
    return (can_manage_gathering(user, gathering) and str(gathering.state) != "cancelled"
            and not gathering.is_past)


def can_view_gathering(user, gathering) -> bool:
    """Published and cancelled ones are public; a draft only to those who manage it; a learning
    partnership's meeting only to its partners (everyone else, admins too, finds nothing)."""
    if getattr(gathering, "partnership_id", None) is not None:
        return can_view_partnership_meeting(user, gathering)
    return str(gathering.state) != "draft" or can_manage_gathering(user, gathering)


def can_rsvp(user, gathering) -> bool:
    """A logged-in person with a confirmed email, to a published gathering not yet over."""
    return (is_signed_in(user) and user.is_verified and str(gathering.state) == "published"
            and not gathering.is_past)


def can_see_meeting_link(user, gathering, rsvp=None) -> bool:
    """The meeting link: hosts, and people whose RSVP is going (never anyone else)."""
    if str(gathering.state) == "cancelled":
        return False
    if is_gathering_host(user, gathering):
        return True
    return (rsvp is not None and is_signed_in(user) and rsvp.user_id == user.id
            and str(rsvp.status) == "going")


# Learning partnerships ------------------------------------------------------------------------
# Partnerships (state, has_partner(), is_full) and requests (user_id, state) are duck-typed. A
# partnership is its current partners' alone: everyone else, admins included, finds nothing
# (admins see only that it exists and its size, for abuse reports: can_list_partnerships).

def can_use_partnerships(user) -> bool:
    """Inviting, accepting, posting a request: a logged-in person whose email is confirmed."""
    return is_signed_in(user) and user.is_verified and user.active


def can_view_partnership(user, partnership) -> bool:
    """Its page, discussion, answers, agreement, check-ins and meetings: current partners only."""
    return is_signed_in(user) and partnership.has_partner(user.id)


def can_invite_partner(user, person) -> bool:
    """"Invite to a learning partnership": someone else whose account is open."""
    return (can_use_partnerships(user) and person is not None and person.id != user.id
            and bool(person.active))


def can_view_partner_request(user, request) -> bool:
    """Open requests to logged-in people; a closed one to its writer only."""
    if not is_signed_in(user):
        return False
    return str(request.state) == "open" or request.user_id == user.id


def can_view_partnership_meeting(user, gathering) -> bool:
    """A partnership's meeting (a private gathering): the partners, who each hold an RSVP for it
    (someone who leaves loses theirs, so a former convener finds nothing either)."""
    return is_signed_in(user) and gathering.invites(user.id)


def can_list_partnerships(user) -> bool:
    """The admins' list (that each exists, its state and size, nothing more) and the opening
    questions."""
    return is_admin(user)


# Alerts ---------------------------------------------------------------------------------------
# Alerts (user_id) are duck-typed. An alert is its owner's alone: anyone else finds nothing.

def can_keep_alerts(user) -> bool:
    """Saving a search as an alert: a logged-in person whose email is confirmed (it is mailed)."""
    return is_signed_in(user) and user.is_verified and user.active


def can_manage_alert(user, alert) -> bool:
    """Its page, pausing, deleting, its feed address: its owner only (admins too find nothing)."""
    return is_signed_in(user) and alert is not None and alert.user_id == user.id


ALL = {
    name: value for name, value in globals().items()
    if name.startswith(("can_", "is_")) and callable(value)
}
