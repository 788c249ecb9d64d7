"""Reading the conduct database into report data: counts match the tables; old schemas are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dartnk.errors import InputError
from tests.export.demo_db import demo_database


@pytest.fixture(scope="module")
def data(protocol):
    from dartnk.export.store_reader import read_trial

    return read_trial(demo_database(), protocol)


def test_counts_match_the_store(data, protocol):
    from dartnk.store import models as m
    from dartnk.store.db import Database

    db = Database(demo_database(), protocol.trial.id)
    with db.read() as s:
        count = lambda model: s.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
        assert len(data.patients) == count(m.Patient)
        assert len(data.exposures) == count(m.Administration)
        assert len(data.adverse_events) == count(m.AdverseEvent)
        assert len(data.labs) == count(m.LabResult) and len(data.persistence) == count(m.PersistenceMeasurement)
        assert len(data.decisions) == count(m.Decision) and len(data.dlts) == count(m.DltAdjudication)
        enrolled = count(m.Enrollment)
        confirmed = s.execute(select(func.count()).select_from(m.DltAdjudication)
                              .where(m.DltAdjudication.confirmed_dlt.is_(True))).scalar_one()
    db.dispose()
    assert sum(1 for p in data.patients if p.arm) == enrolled
    assert sum(1 for d in data.dlts if d.is_dlt) == confirmed
    assert sum(1 for a in data.adverse_events if a.is_dlt) == confirmed  # one DLT event per DLT patient


def test_day0_and_study_days(data):
    for p in data.treated():
        infusions = sorted((e for e in data.exposures if e.subject_id == p.subject_id and e.kind.value == "infusion"),
                           key=lambda e: e.given_on)
        assert infusions[0].given_on == p.day0 and infusions[0].study_day == 0
        ld = [e for e in data.exposures if e.subject_id == p.subject_id and e.kind.value == "lymphodepletion"]
        assert ld and all(e.study_day < 0 for e in ld)


def test_responses_follow_the_services_recist(data):
    treated = {p.subject_id for p in data.treated()}
    baselines = [r for r in data.responses if r.is_baseline]
    assert {r.subject_id for r in baselines} == treated  # the demo's baseline scan is at enrollment
    for r in data.responses:
        if not r.is_baseline and r.target_sum_mm is not None:
            base = next(b for b in baselines if b.subject_id == r.subject_id).target_sum_mm
            assert r.pct_from_baseline == pytest.approx(100 * (r.target_sum_mm - base) / base, abs=0.01)


def test_old_schema_is_refused(tmp_path, protocol):
    from dartnk.export.store_reader import read_trial
    from dartnk.store.db import upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    upgrade(url, "0001")
    with pytest.raises(InputError, match=r"--db: a database at the current schema revision .* run `dartnk db upgrade"):
        read_trial(url, protocol)
