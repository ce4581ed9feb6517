"""Demo data for trying the site: invented people, deterministic and safe to load twice."""
import random

from app.auth import services as accounts
from app.models.accounts import Role

DEMO_PASSWORD = "welcome-to-the-network"

DEMO_ACCOUNTS = [
    ("admin@demo.leaders.example", "Ines Okafor", Role.ADMIN),
    ("editor@demo.leaders.example", "Tomas Lindqvist", Role.EDITOR),
    ("leader@demo.leaders.example", "Amara Mensah", Role.LEADER),
    ("member@demo.leaders.example", "Jun Watanabe", Role.MEMBER),
]

# Features append callables(rng, options) that add their own demo data, in order.
SEEDERS: list = []


def seed(seed: int = 2026, **options) -> dict[str, int]:
    """Create the demo accounts (and each feature's data) unless they already exist."""
    created = 0
    for email, name, role in DEMO_ACCOUNTS:
        if accounts.find_by_email(email) is None:
            accounts.create_user(email, name, DEMO_PASSWORD, role, verified=True)
            created += 1
    counts = {"accounts": created}
    for seeder in SEEDERS:
        counts.update(seeder(random.Random(seed), options) or {})
    return counts


def banner() -> str:
    lines = ["Demo accounts (password for all: %s):" % DEMO_PASSWORD]
    lines += [f"  {role.label:<7} {email}  ({name})" for email, name, role in DEMO_ACCOUNTS]
    return "\n".join(lines)
