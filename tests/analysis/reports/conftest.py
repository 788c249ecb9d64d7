import pytest


@pytest.fixture(scope="session")
def trial(protocol):
    from tests.analysis.reports.factory import make_trial

    return make_trial(protocol)
