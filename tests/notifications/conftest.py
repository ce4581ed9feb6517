"""The editorial fixtures: its steps are the notifications the site sends today."""
from tests.editorial.conftest import act_as, make_proposal, people  # noqa: F401 (fixtures)
