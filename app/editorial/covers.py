"""A proposal's cover image: stored through the one image pipeline (app/images.py), shown to
everyone once the post is live, removed with the proposal or the person."""
from sqlalchemy import select

from app import images
from app.editorial.needs import NEEDS
from app.extensions import db
from app.models.editorial import Proposal


class CoverError(ValueError):
    """The uploaded cover image could not be used; the message says why."""


COVER_SIZES = (images.Size("", 1600, 1600),)
COVER_MIN_SIZE = (200, 100)


def store_cover(upload) -> str:
    """Store an uploaded image through the image pipeline; returns its file name."""
    try:
        name = images.save(upload.stream, images.COVERS, COVER_SIZES, min_size=COVER_MIN_SIZE)
    except images.ImageError as error:
        raise CoverError(str(error)) from error
    return name + ".jpg"


def set_cover(proposal: Proposal, upload, alt: str) -> None:
    if not alt.strip():
        raise CoverError(NEEDS["cover_alt"].ask)
    old = proposal.cover_image
    proposal.cover_image = store_cover(upload)
    proposal.cover_alt = alt.strip()
    if old:
        remove_file(old)


def remove_cover(proposal: Proposal) -> None:
    if proposal.cover_image:
        remove_file(proposal.cover_image)
    proposal.cover_image = None


def proposal_with_cover(file_name: str) -> Proposal | None:
    """The proposal whose cover a file is, if any."""
    return db.session.scalar(select(Proposal).where(Proposal.cover_image == file_name))


def send_cover(file_name: str, *, everyone: bool):
    return images.send(images.COVERS, file_name, everyone=everyone)


def remove_file(name: str) -> None:
    """Once the transaction commits: the proposal no longer points at the file."""
    images.delete(name.removesuffix(".jpg"), images.COVERS, COVER_SIZES)
