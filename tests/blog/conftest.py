"""The blog tests reuse the editorial fixtures: people, act_as, make_proposal."""
from tests.editorial.conftest import act_as, make_proposal, people, proposal_state  # noqa: F401
