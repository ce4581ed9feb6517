"""Fixtures for the geo package: a small real gazetteer in SQLite, copied fresh for each test."""
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from app.geo.gazetteer import Place, PlaceName, load_gazetteer
from app.geo.geocoder import GeocodeCache, OfflineGeocoder, RequestClock
from app.models.base import Base

GEO_TABLES = [Place.__table__, PlaceName.__table__, GeocodeCache.__table__, RequestClock.__table__]
# Enough of the world for the ambiguous names the tests ask about, loaded in a few seconds.
TEST_COUNTRIES = ["US", "CA", "GB", "CH", "FR", "BR"]
TEST_MIN_POPULATION = 5000


class PreparedGazetteer(NamedTuple):
    path: Path
    counts: dict[str, int]


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine, tables=GEO_TABLES)
    return engine


@pytest.fixture(scope="session")
def prepared_gazetteer(tmp_path_factory: pytest.TempPathFactory) -> PreparedGazetteer:
    path = tmp_path_factory.mktemp("gazetteer") / "gazetteer.sqlite3"
    engine = make_engine(path)
    with Session(engine) as session:
        counts = load_gazetteer(session, countries=TEST_COUNTRIES, min_population=TEST_MIN_POPULATION)
        session.commit()
    engine.dispose()
    return PreparedGazetteer(path, counts)


@pytest.fixture
def geo_engine(prepared_gazetteer: PreparedGazetteer, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "geo.sqlite3"
    shutil.copyfile(prepared_gazetteer.path, path)
    engine = create_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def empty_geo_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(tmp_path / "empty.sqlite3")
    yield engine
    engine.dispose()


@pytest.fixture
def geo_session(geo_engine: Engine) -> Iterator[Session]:
    with Session(geo_engine) as session:
        yield session


@pytest.fixture
def geocoder(geo_session: Session) -> OfflineGeocoder:
    return OfflineGeocoder(geo_session)
