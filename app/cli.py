"""Command-line tasks: users, demo data, mail delivery, places, publishing."""
import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from app import demo, features, mail
from app.alerts.cli import alerts_cli
from app.auth import services as accounts
from app.auth.passwords import password_problem
from app.extensions import db
from app.forum.cli import forum_cli
from app.gatherings.cli import gatherings_cli
from app.models.accounts import Role, User

ROLE_CHOICE = click.Choice([role.value for role in Role])


@click.group("users", cls=AppGroup, help="Manage user accounts.")
def users_cli():
    pass


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--role", type=ROLE_CHOICE, default=Role.MEMBER.value, show_default=True)
@click.password_option("--password", prompt="Password", confirmation_prompt=True,
                       help="Prompted twice with input hidden; may be piped on stdin.")
def create_user(email, name, role, password):
    """Create a verified account."""
    problem = password_problem(password, user_inputs=[email, name])
    if problem:
        raise click.ClickException(problem)
    try:
        user = accounts.create_user(email, name, password, Role(role), verified=True)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}.")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
def set_role(email, role):
    """Change someone's role."""
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    user.role = Role(role)
    db.session.commit()
    click.echo(f"{user.email} is now {user.role.value}.")


@click.command("seed-demo")
@with_appcontext
@click.option("--seed", "seed_value", type=int, default=2026, show_default=True,
              help="Random seed: the same seed makes the same data.")
@click.option("--if-empty", is_flag=True, help="Only seed a database that has no accounts yet.")
@click.option("--leaders", type=click.IntRange(min=0), default=None,
              help="How many demo leaders to make (default: a few dozen across the world).")
@click.option("--banner/--no-banner", default=True, help="Print the demo accounts.")
def seed_demo(seed_value, if_empty, leaders, banner):
    """Load invented demo data (safe to run again)."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has accounts; demo data not loaded.")
    else:
        counts = features.seed_demo(seed_value, leaders=leaders)
        db.session.commit()
        click.echo("Demo data: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    if banner:
        click.echo(demo.banner())


@click.group("mail", cls=AppGroup, help="The outbox.")
def mail_cli():
    pass


@mail_cli.command("deliver")
@click.option("--limit", type=int, default=500, show_default=True)
def deliver(limit):
    """Send pending mail; failures are retried later with backoff."""
    counts = mail.deliver_pending(limit=limit)
    click.echo(f"sent {counts['sent']}, will retry {counts['retry']}, failed {counts['failed']}")


@mail_cli.command("status")
@click.option("--limit", type=int, default=20, show_default=True,
              help="How many messages of each kind to list.")
def status(limit):
    """Show the outbox: counts by status, and pending, sending and failed mail with errors."""
    report = mail.status_report(limit=limit)
    click.echo(", ".join(f"{state.value} {count}" for state, count in report["counts"].items()))
    for state, rows in report["rows"].items():
        if not rows:
            continue
        click.echo(f"\n{state.value.capitalize()} (newest first):")
        for message in rows:
            line = f"  #{message.id} to {message.to}: {message.subject!r}, {message.attempts} attempt(s)"
            if state == mail.MessageStatus.PENDING:
                line += f", next try {message.next_attempt_at:%Y-%m-%d %H:%M} UTC"
            elif state == mail.MessageStatus.SENDING:
                claimed = message.claimed_at
                expired = claimed is None or claimed <= report["now"] - report["lease"]
                line += (f", claimed {claimed:%Y-%m-%d %H:%M:%S} UTC" if claimed else ", never claimed")
                line += " (claim expired: will be retried)" if expired else ""
            if message.last_error:
                line += f"\n      last error: {message.last_error}"
            click.echo(line)


@click.group("editorial", cls=AppGroup, help="The Leaders Blog's editorial workflow.")
def editorial_cli():
    pass


@editorial_cli.command("publish-due")
def publish_due():
    """Publish scheduled posts whose time has come (run every few minutes from cron)."""
    from app.editorial import steps

    published = steps.publish_due()  # commits each post as it goes
    if not published:
        click.echo("Nothing is due.")
    for post in published:
        click.echo(f"Published #{post.id} “{post.title}” (due {post.published_at:%Y-%m-%d %H:%M} UTC)"
                   f" at /blog/{post.slug}")


@click.group("geo", cls=AppGroup, help="Places and geocoding.")
def geo_cli():
    pass


@geo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when places are already loaded.")
@click.option("--min-population", type=int, default=1000, show_default=True)
@click.option("--no-postal", is_flag=True, help="Skip US postal codes.")
def geo_load(if_empty, min_population, no_postal):
    """Load the offline gazetteer (world towns and US postal codes) into the database."""
    import time
    from app.geo.gazetteer import Place, load_gazetteer
    if if_empty and db.session.scalar(select(func.count()).select_from(Place)):
        click.echo("Places are already loaded.")
        return
    started = time.perf_counter()
    counts = load_gazetteer(db.session, min_population=min_population,
                            include_postal=not no_postal)
    db.session.commit()
    click.echo(f"Loaded {counts['places']} places, {counts['postal']} postal codes and "
               f"{counts['names']} names in {time.perf_counter() - started:.1f} s.")


@geo_cli.command("rename-towns")
def geo_rename_towns():
    """Name the town of every city-level profile again from its public point alone."""
    from app.directory.location import rename_public_towns
    changed = rename_public_towns()
    db.session.commit()
    click.echo(f"Renamed the town of {changed} city-level profile{'' if changed == 1 else 's'}.")


def init_app(app: Flask) -> None:
    for command in (users_cli, seed_demo, mail_cli, geo_cli, editorial_cli, forum_cli,
                    gatherings_cli, alerts_cli):
        app.cli.add_command(command)
    from app import backup
    backup.init_app(app)  # `flask db backup`, beside `db upgrade`
