"""Where uploaded files live: one interface (save, open, delete, url), chosen by UPLOAD_STORAGE."""
import logging
import os
import shutil
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.security import safe_join

from app.config import ConfigError
from app.extensions import db

# Keys waiting in a session for its commit: files whose rows that transaction removes.
_PENDING = "storage_deletes"


class Storage(Protocol):
    """A store of files named by keys such as "leaders/<name>.jpg"; a key's content never changes."""

    def save(self, key: str, stream: BinaryIO) -> None:
        """Store the stream under key, whole or not at all."""

    def open(self, key: str) -> BinaryIO:
        """The stored file, for reading; FileNotFoundError when there is none."""

    def delete(self, key: str) -> None:
        """Remove the file; a missing one is no error."""

    def url(self, key: str) -> str | None:
        """An address browsers may fetch the file from directly (a bucket's signed link),
        or None when the app streams it from open()."""


class LocalStorage:
    """Files in a folder on this machine (LEADERS_UPLOAD_FOLDER), served by the app."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        joined = safe_join(str(self.root), key)
        if joined is None or not key:
            raise ValueError(f"Not a storage key: {key!r}")
        return Path(joined)

    def save(self, key: str, stream: BinaryIO) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside, then renamed: a half-written file is never served.
        partial = path.with_name(f".{path.name}.partial")
        try:
            with open(partial, "wb") as out:
                shutil.copyfileobj(stream, out)
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def url(self, key: str) -> str | None:
        return None  # the app serves local files itself, after checking who may see them


STORES = {
    "local": lambda config: LocalStorage(config["UPLOAD_FOLDER"]),
}


def storage() -> Storage:
    """The configured store (LEADERS_UPLOAD_STORAGE, "local" unless set), over UPLOAD_FOLDER."""
    return STORES[current_app.config.get("UPLOAD_STORAGE", "local")](current_app.config)


def delete_after_commit(keys) -> None:
    """Delete these files once the current transaction commits; a rollback keeps them, so a
    row that stays never points at a file that is gone."""
    store, session = storage(), db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any SQL still forgets them
    session.info.setdefault(_PENDING, []).extend((store, key) for key in keys)


@event.listens_for(Session, "after_commit")
def _delete_committed(session: Session) -> None:
    for store, key in session.info.pop(_PENDING, []):
        try:
            store.delete(key)
        except OSError:  # the rows are gone already; a file left over is logged, not a 500
            logging.getLogger(__name__).warning("Could not delete the stored file %s", key,
                                                exc_info=True)


@event.listens_for(Session, "after_soft_rollback")
def _keep_rolled_back(session: Session, _previous_transaction) -> None:
    # Any rollback, a savepoint's too: a file left over is better than a row without its file.
    session.info.pop(_PENDING, None)


def init_app(app: Flask) -> None:
    """Refuse to start with a store that does not exist, rather than fail at the first upload."""
    chosen = app.config.get("UPLOAD_STORAGE", "local")
    if chosen not in STORES:
        raise ConfigError(f"LEADERS_UPLOAD_STORAGE={chosen!r} is not a known store; "
                          f"choose one of: {', '.join(sorted(STORES))}.")
