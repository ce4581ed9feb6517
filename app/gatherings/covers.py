"""A gathering's cover image: through the one image pipeline (app/images.py), in the covers'
storage, shown to whoever may see the gathering, removed with it or its host."""
import re

from sqlalchemy import select

from app import images
from app.extensions import db
from app.models.gatherings import Gathering

COVER_SIZES = (images.Size("", 1600, 1600),)
COVER_MIN_SIZE = (200, 100)
NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")  # what images.save names a file


class CoverError(ValueError):
    """The uploaded image could not be used; the message says why."""


def store(upload) -> str:
    """The upload checked and stored; its file name."""
    try:
        return images.save(upload.stream, images.COVERS, COVER_SIZES, min_size=COVER_MIN_SIZE) + ".jpg"
    except images.ImageError as error:
        raise CoverError(str(error)) from error


def set_cover(gatherings: list[Gathering], name: str | None) -> None:
    """The occurrences of a series share one file; a file no gathering uses any more goes."""
    old = {gathering.cover for gathering in gatherings if gathering.cover}
    for gathering in gatherings:
        gathering.cover = name
    db.session.flush()
    for file_name in old - {name}:
        if gathering_with_cover(file_name) is None:
            remove_file(file_name)


def gathering_with_cover(file_name: str) -> Gathering | None:
    return db.session.scalar(select(Gathering).where(Gathering.cover == file_name).limit(1))


def send_cover(file_name: str, *, everyone: bool):
    return images.send(images.COVERS, file_name, everyone=everyone)


def remove_file(name: str) -> None:
    images.delete(name.removesuffix(".jpg"), images.COVERS, COVER_SIZES)
