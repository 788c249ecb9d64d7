from __future__ import annotations

import pytest

from dartnk.sim.scenario import shipped_names, shipped_scenario


@pytest.fixture(scope="session")
def scenarios(protocol):
    return {n: shipped_scenario(n, protocol) for n in shipped_names()}
