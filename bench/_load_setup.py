"""Accounts for bench/load.py: per writer a leader with a profile and a verified member, as JSON.

Run with the app's Python and the benchmark's environment (LEADERS_DATABASE_URL ...):
    .venv/bin/python bench/_load_setup.py WRITERS < password
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.auth.services import create_user  # noqa: E402
from app.directory.services import create_profile  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models.accounts import Role  # noqa: E402


def main() -> None:
    writers = int(sys.argv[1])
    password = sys.stdin.read().strip()
    accounts = []
    with create_app().app_context():
        for number in range(writers):
            leader = create_user(f"load-leader-{number}@example.com", f"Load Leader {number}",
                                 password, Role.LEADER, verified=True)
            member = create_user(f"load-member-{number}@example.com", f"Load Member {number}",
                                 password, Role.MEMBER, verified=True)
            profile = create_profile(leader)
            accounts.append({"leader": leader.email, "slug": profile.slug, "member": member.email})
        db.session.commit()
    json.dump(accounts, sys.stdout)


if __name__ == "__main__":
    main()
