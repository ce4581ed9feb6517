"""`flask gatherings ...`: the gatherings' cron job (reminders, the waitlist offers' expiry)."""
import click
from flask.cli import AppGroup

from app import mail
from app.extensions import db
from app.gatherings import reminders


@click.group("gatherings", cls=AppGroup, help="The gatherings' reminders and waitlist offers.")
def gatherings_cli():
    pass


@gatherings_cli.command("send-reminders")
@click.option("--deliver/--no-deliver", default=True, show_default=True,
              help="Send the mail this run queued right away (else `flask mail deliver` does).")
def send_reminders(deliver):
    """Queue the reminders due (24 hours and 1 hour before) and pass on expired offers (cron,
    every 5 minutes; safe to run on every host at once)."""
    counts = reminders.send_reminders()
    db.session.commit()
    click.echo(f"reminders queued {counts['reminders']} (24 h: {counts['remind_24h']}, "
               f"1 h: {counts['remind_1h']}), offers expired {counts['offers_expired']}")
    # As after a request: only what this run queued, now committed; the rest is `mail deliver`'s.
    ids = mail.take_queued()
    if deliver and ids:
        sent = mail.deliver_pending(limit=len(ids), ids=ids)
        click.echo(f"mail sent {sent['sent']}, will retry {sent['retry']}, failed {sent['failed']}")
