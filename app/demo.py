"""Demo data for trying the site: the demo accounts; each feature seeds its own (app/features.py)."""
from app.auth import services as accounts
from app.models.accounts import Role

DEMO_PASSWORD = "welcome-to-the-network"

DEMO_ACCOUNTS = [
    ("admin@demo.leaders.example", "Ines Okafor", Role.ADMIN),
    ("editor@demo.leaders.example", "Tomas Lindqvist", Role.EDITOR),
    ("leader@demo.leaders.example", "Amara Mensah", Role.LEADER),
    ("member@demo.leaders.example", "Jun Watanabe", Role.MEMBER),
]


def seed_accounts(_rng, _options) -> dict[str, int]:
    """Create the demo accounts that do not exist yet (the account feature's demo data)."""
    created = 0
    for email, name, role in DEMO_ACCOUNTS:
        if accounts.find_by_email(email) is None:
            accounts.create_user(email, name, DEMO_PASSWORD, role, verified=True)
            created += 1
    return {"accounts": created}


def banner() -> str:
    lines = ["Demo accounts (password for all: %s):" % DEMO_PASSWORD]
    lines += [f"  {role.label:<7} {email}  ({name})" for email, name, role in DEMO_ACCOUNTS]
    return "\n".join(lines)
