"""`flask forum ...`: the forum's mail for cron (reply mails that waited, digests)."""
import click
from flask.cli import AppGroup

from app.extensions import db
from app.forum import digests, telling


@click.group("forum", cls=AppGroup, help="The forum's mail.")
def forum_cli():
    pass


@forum_cli.command("send-replies")
def send_replies():
    """Mail the replies that waited out the ten minutes since a follower's last mail."""
    click.echo(_send_held())


@forum_cli.command("send-digests")
def send_digests():
    """Send the digests whose hour has come, and the waiting reply mails (cron, every 15 min)."""
    counts = digests.send_digests()
    click.echo(f"digests queued {counts['sent']}, nothing new for {counts['nothing_new']}")
    click.echo(_send_held())


def _send_held() -> str:
    sent = telling.send_held_replies()
    db.session.commit()
    return f"reply mails queued {sent}"
