import pytest

from sim.postgres import Postgres


@pytest.fixture(scope="package")
def postgres():
    """One real PostgreSQL for the city tests (about 2 s to make); each test uses hall ids
    of its own, so they never see each other's rows."""
    with Postgres() as pg:
        yield pg
