"""Leader photos: stored through the image pipeline at two sizes, served while the profile is."""
import re
from typing import BinaryIO

from sqlalchemy import select

from app import images
from app.extensions import db
from app.models.directory import LeaderProfile

FULL_SIZE = 800
THUMB_SIZE = 160
SIZES = (images.Size("", FULL_SIZE, FULL_SIZE),
         images.Size(f"-{THUMB_SIZE}", THUMB_SIZE, THUMB_SIZE, crop=True))
# What the photo route serves: generated names only, so no path can be smuggled in.
FILE_NAME = re.compile(r"^([0-9a-f]{32})(?:-160)?\.jpg$")

PhotoError = images.ImageError


def save_photo(stream: BinaryIO) -> str:
    """Check, clean and store an uploaded photo; returns the stored name (without suffix)."""
    return images.save(stream, images.PHOTOS, SIZES)


def delete_photo(name: str | None) -> None:
    """Remove the photo's files once the transaction that drops it commits."""
    images.delete(name, images.PHOTOS, SIZES)


def send_photo(file_name: str, *, everyone: bool):
    return images.send(images.PHOTOS, file_name, everyone=everyone)


def profile_with_photo(file_name: str) -> LeaderProfile | None:
    """The profile a served file name belongs to, if any."""
    match = FILE_NAME.match(file_name)
    if match is None:
        return None
    return db.session.scalar(select(LeaderProfile).where(LeaderProfile.photo == match[1]))
