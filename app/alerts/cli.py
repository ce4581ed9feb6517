"""`flask alerts ...`: the alerts' cron job (match what is new, then mail whoever is due)."""
import time

import click
from flask.cli import AppGroup

from app import mail
from app.alerts import matching, sending
from app.extensions import db


@click.group("alerts", cls=AppGroup, help="Alerts: saved searches for leaders and gatherings.")
def alerts_cli():
    pass


@alerts_cli.command("send")
@click.option("--deliver/--no-deliver", default=True, show_default=True,
              help="Send the mail this run queued right away (else `flask mail deliver` does).")
def send(deliver):
    """Match the leaders and gatherings that became public since the last run, then send the alert
    mail due at each person's hour (cron, every 15 minutes; safe to run twice at once)."""
    started = time.perf_counter()
    found = matching.match_arrivals()
    click.echo(f"matched {found.items} new items against {found.candidates} nearby alerts: "
               f"{found.matches} new matches ({time.perf_counter() - started:.2f} s)")
    counts = sending.send_due()
    db.session.commit()
    click.echo(f"mails queued {counts['mailed']}, told in the app only {counts['told_in_app']}, "
               f"nothing new for {counts['nothing_new']}")
    ids = mail.take_queued()
    if deliver and ids:
        sent = mail.deliver_pending(limit=len(ids), ids=ids)
        click.echo(f"mail sent {sent['sent']}, will retry {sent['retry']}, failed {sent['failed']}")
