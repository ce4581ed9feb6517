"""Leader photos: stored through the image pipeline at two sizes, served while the profile is."""
import re
from pathlib import Path
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


def photos_dir(upload_folder: str) -> Path:
    return Path(upload_folder) / images.PHOTOS


def save_photo(stream: BinaryIO, upload_folder: str) -> str:
    """Check, clean and store an uploaded photo; returns the stored name (without suffix)."""
    return images.save(stream, photos_dir(upload_folder), SIZES)


def delete_photo(name: str | None, upload_folder: str) -> None:
    images.delete(name, photos_dir(upload_folder), SIZES)


def profile_with_photo(file_name: str) -> LeaderProfile | None:
    """The profile a served file name belongs to, if any."""
    match = FILE_NAME.match(file_name)
    if match is None:
        return None
    return db.session.scalar(select(LeaderProfile).where(LeaderProfile.photo == match[1]))
