"""`flask partnerships ...`: the partnerships' cron job (the next meeting of each active one)."""
import click
from flask.cli import AppGroup

from app.partnerships import meetings


@click.group("partnerships", cls=AppGroup, help="Learning partnerships: their meetings.")
def partnerships_cli():
    pass


@partnerships_cli.command("arrange-meetings")
def arrange_meetings():
    """Arrange the next meeting of every active partnership with a rhythm and none coming (cron,
    every hour; safe to run on every host at once: each partnership's row is held while it runs)."""
    made = meetings.arrange_all()
    click.echo(f"meetings arranged {made}")
