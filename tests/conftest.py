import pytest

from tests.support.broker import Mosquitto


@pytest.fixture
def mosquitto():
    with Mosquitto() as broker:
        yield broker
