"""Leaving the network: the data download and deleting an account, across every feature."""
import json

from app import features
from app.extensions import db
from app.models.accounts import User


def export_data(user: User) -> str:
    """"Download my data": every feature's sections (app/features.py), as JSON."""
    return json.dumps(features.export_data(user), indent=2, ensure_ascii=False)


def delete_account(user: User) -> None:
    """Every feature forgets the person, then the account goes with its sessions. The view
    commits; stored files (photos, covers) are deleted only once that commit succeeds."""
    features.forget_user(user)
    db.session.delete(user)
