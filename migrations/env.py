import logging
from logging.config import fileConfig

from flask import current_app

from alembic import context
from alembic.util import CommandError

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            run_sqlite_migrations(connection, conf_args)
            return
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args
        )

        with context.begin_transaction():
            context.run_migrations()


def run_sqlite_migrations(connection, conf_args):
    """All the migrations in one transaction with foreign keys off, checked before commit.

    batch_alter_table rebuilds a table (copy, DROP, rename); with foreign keys on, the DROP
    would cascade and empty every table that refers to it.
    """
    # PRAGMA foreign_keys is a no-op inside a transaction: set it on the DBAPI connection
    # before Alembic begins one (the app's "begin" hook issues BEGIN IMMEDIATE itself).
    raw = connection.connection.driver_connection
    if raw.in_transaction:
        raise RuntimeError("the migration connection is already in a transaction")
    applied = []
    noted = conf_args.get("on_version_apply")

    def note(**kwargs):
        applied.append(kwargs["step"])
        if noted is not None:
            noted(**kwargs)

    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            # SQLite's DDL is transactional: one transaction, so a failed check undoes it all.
            transactional_ddl=True,
            **{**conf_args, "on_version_apply": note}
        )
        with context.begin_transaction():
            context.run_migrations()
            if applied:  # not for `flask db current`, `history` and the like
                check_foreign_keys(connection)
    finally:
        if raw.in_transaction:
            connection.invalidate()  # never back to the pool with foreign keys off
        else:
            raw.execute("PRAGMA foreign_keys=ON")


def check_foreign_keys(connection, shown=20):
    """Refuse to commit rows that refer to rows that are not there, naming them."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if not broken:
        return
    lines = [describe_broken_row(connection, *row) for row in broken[:shown]]
    if len(broken) > shown:
        lines.append(f"... and {len(broken) - shown} more")
    raise CommandError(
        f"PRAGMA foreign_key_check found {len(broken)} rows referring to missing rows, "
        "so the migration was rolled back:\n  " + "\n  ".join(lines))


def describe_broken_row(connection, table, rowid, parent, constraint):
    columns = [row[3] for row in connection.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")')
               if row[0] == constraint]
    where = f"{table} rowid {rowid}"
    if rowid is None:  # a WITHOUT ROWID table
        return f"{where}: {', '.join(columns)} -> {parent}"
    quoted = ", ".join(f'"{column}"' for column in columns)
    values = connection.exec_driver_sql(f'SELECT {quoted} FROM "{table}" WHERE rowid = ?', (rowid,)).one()
    pairs = ", ".join(f"{column}={value!r}" for column, value in zip(columns, values))
    return f"{where}: {pairs} -> no such row in {parent}"


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
