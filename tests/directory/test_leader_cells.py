"""leader_cells stays equal to a count of the profiles, however the profiles change."""
import random

import pytest
from sqlalchemy import delete, func, select, update

from app.admin.services import deactivate, reactivate
from app.directory.services import delete_profile, set_listed
from app.extensions import db
from app.geo.cells import FINEST
from app.models.accounts import User
from app.directory.search.strategies import ByCells
from app.models.directory import LeaderCell, LeaderPoint, LeaderProfile
from tests.directory.search_fixtures import add_leader

_P = LeaderProfile.__table__


def counted_from_profiles() -> dict[tuple[int, int, int], tuple[int, int]]:
    """What leader_cells should hold, worked out from the profiles themselves."""
    expected: dict[tuple[int, int, int], list[int]] = {}
    rows = db.session.execute(select(_P.c.cell_y, _P.c.cell_x, _P.c.works_online)
                              .where(_P.c.searchable == True, _P.c.cell_y.is_not(None)))  # noqa: E712
    for y, x, online in rows:
        for level in range(FINEST + 1):
            shift = FINEST - level
            tally = expected.setdefault((level, y >> shift, x >> shift), [0, 0])
            tally[0] += 1
            tally[1] += int(bool(online))
    return {key: tuple(value) for key, value in expected.items()}


def counted_in_cells() -> dict[tuple[int, int, int], tuple[int, int]]:
    return {(cell.level, cell.y, cell.x): (cell.leaders, cell.online)
            for cell in db.session.scalars(select(LeaderCell)) if cell.leaders or cell.online}


def points_from_profiles() -> dict[tuple, tuple[int, int]]:
    expected: dict[tuple, list[int]] = {}
    rows = db.session.execute(select(_P.c.cell_y, _P.c.cell_x, _P.c.public_lat, _P.c.public_lng, _P.c.works_online)
                              .where(_P.c.searchable == True, _P.c.cell_y.is_not(None)))  # noqa: E712
    for y, x, lat, lng, online in rows:
        tally = expected.setdefault((y, x, lat, lng), [0, 0])
        tally[0] += 1
        tally[1] += int(bool(online))
    return {key: tuple(value) for key, value in expected.items()}


def counted_at_points() -> dict[tuple, tuple[int, int]]:
    """Every row of leader_points: points nobody is at any more must be gone, not zero."""
    return {(point.cell_y, point.cell_x, point.lat, point.lng): (point.leaders, point.online)
            for point in db.session.scalars(select(LeaderPoint))}


def assert_counts_match():
    assert counted_in_cells() == counted_from_profiles()
    assert counted_at_points() == points_from_profiles()


def test_counts_follow_every_kind_of_change(app, make_user):
    rng = random.Random(5)
    admin = make_user(role="admin")
    with app.app_context():
        admin = db.session.get(User, admin.id)
        profiles = [add_leader(f"Cell {number}", rng.uniform(-60, 60), rng.uniform(-179.9, 179.9),
                               precision=rng.choice(["exact", "city"]), works_online=rng.random() < 0.3)
                    for number in range(30)]
        profiles.append(add_leader("No Place"))  # no point: in no cell
        assert_counts_match()
        assert sum(leaders for (level, _, _), (leaders, _) in counted_in_cells().items() if level == 0) == 30

        # The ORM: moving (far, and a few metres inside the same cell), working online, hiding,
        # showing, deleting.
        for profile in profiles[:8]:
            profile.public_lat, profile.public_lng = rng.uniform(-60, 60), rng.uniform(-179, 179)
        profiles[29].public_lat += 0.0001
        profiles[8].works_online = not profiles[8].works_online
        set_listed(profiles[9], False)
        set_listed(profiles[10], False)
        db.session.commit()
        set_listed(profiles[10], True)
        delete_profile(profiles[11])
        db.session.commit()
        assert_counts_match()

        # Core updates, the way an admin deactivates and reactivates an account.
        deactivate(admin, profiles[12].user)
        deactivate(admin, profiles[13].user)
        db.session.commit()
        reactivate(profiles[13].user)
        db.session.execute(update(LeaderProfile).where(LeaderProfile.id == profiles[14].id)
                           .values(works_online=True, public_lat=1.5, public_lng=2.5, cell_y=None, cell_x=None))
        db.session.commit()
        assert_counts_match()

        # Deleting accounts: the database cascades to the profile.
        db.session.execute(delete(User).where(User.id.in_([profiles[15].user_id, profiles[16].user_id])))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(_P)) == 28
        assert_counts_match()


@pytest.mark.parametrize("cells_per_km", [0, 10**9], ids=["by cells", "by points"])
def test_a_search_counts_exactly_what_a_full_scan_finds_in_a_crowd(app, cells_per_km, monkeypatch):
    """Many leaders around one city: the cells wholly inside carry most of the count."""
    from app.directory.search import Origin, find, search
    app.config["SEARCH_CELLS_PER_KM"] = cells_per_km
    counted = []
    monkeypatch.setattr(find, "ByCells", lambda *args: counted.append(args) or ByCells(*args))
    rng = random.Random(9)
    with app.app_context():
        for number in range(300):
            add_leader(f"Crowd {number}", 48.85 + rng.gauss(0, 0.3), 2.35 + rng.gauss(0, 0.45),
                       precision=rng.choice(["exact", "city"]), works_online=rng.random() < 0.2)
    with app.test_request_context():
        for radius in (5, 12, 30, 50, 80):
            for lat, lng in ((48.85, 2.35), (48.6, 2.0), (49.2, 2.9)):
                origin = Origin("x", lat, lng)
                fast = search(origin, radius, per_page=400)
                slow = search(origin, radius, per_page=400, full_scan=True)
                assert fast.total == slow.total, (radius, lat, lng)
                assert [hit.profile_id for hit in fast.hits] == [hit.profile_id for hit in slow.hits]
                for page in (1, 3):
                    assert ([hit.profile_id for hit in search(origin, radius, page=page).hits]
                            == [hit.profile_id for hit in search(origin, radius, page=page, full_scan=True).hits])
    assert bool(counted) == (cells_per_km == 0)
