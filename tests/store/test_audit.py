"""The hash-chained audit trail: verification, tamper detection (an edited, deleted or truncated
entry is named), append-only triggers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from dartnk.protocol import default_protocol
from dartnk.store.audit import GENESIS_HASH, canonical_json, entry_hash, utc_timestamp, verify
from dartnk.store.db import open_database
from dartnk.store.recorder import Recorder
from dartnk.store.users import add_user, ensure_site

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(database_url):
    d = open_database(database_url, default_protocol())
    with d.write() as s:
        rec = Recorder(s, d.trial_id, "tester", NOW)
        ensure_site(rec, "S01")
        for i in range(3):
            add_user(rec, f"user{i}", "statistician", None, None)
    yield d
    d.dispose()


def _verify(d):
    with d.read() as s:
        return verify(s, d.trial_id)


def _behind_the_apps_back(d, sql: str, **params) -> None:
    """Tamper as someone with direct database access would: switch the append-only trigger off first."""
    with d.engine.begin() as conn:
        if d.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
            conn.execute(text(sql), params)
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
            conn.execute(text(sql), params)


def test_intact_chain_verifies(db):
    r = _verify(db)
    assert r.ok and r.first_bad is None and r.entries > 10
    assert r.to_json() == {"ok": True, "entries": r.entries, "first_bad": None}


def test_edited_value_is_named(db):
    _behind_the_apps_back(db, "UPDATE audit_log SET new = :v WHERE seq = 5", v='"evil"')
    r = _verify(db)
    assert not r.ok and r.first_bad == 5 and "altered" in r.problem


def test_edited_and_rehashed_entry_breaks_the_next_link(db):
    with db.read() as s:
        from dartnk.store.models import AuditEntry

        e = s.get(AuditEntry, 4)
        content = {"seq": 4, "at": e.at, "actor": "mallory", "action": e.action, "entity": e.entity,
                   "entity_id": e.entity_id, "field": e.field, "old": e.old, "new": e.new, "reason": e.reason,
                   "prev_hash": e.prev_hash}
    _behind_the_apps_back(db, "UPDATE audit_log SET actor = 'mallory', hash = :h WHERE seq = 4", h=entry_hash(content))
    r = _verify(db)
    assert not r.ok and r.first_bad == 5 and "link" in r.problem


def test_deleted_entry_is_named(db):
    _behind_the_apps_back(db, "DELETE FROM audit_log WHERE seq = 3")
    r = _verify(db)
    assert not r.ok and r.first_bad == 3 and "missing" in r.problem


def test_truncated_tail_is_caught(db):
    n = _verify(db).entries
    _behind_the_apps_back(db, "DELETE FROM audit_log WHERE seq = :n", n=n)
    r = _verify(db)
    assert not r.ok and r.first_bad == n


def test_append_only_triggers_refuse_update_and_delete(db):
    from sqlalchemy.exc import DBAPIError

    for sql in ("UPDATE audit_log SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(sql))
    assert _verify(db).ok


def test_hash_is_sha256_of_canonical_json():
    import hashlib

    fields = {"seq": 1, "at": "2026-11-10T12:00:00.000000Z", "actor": "a", "action": "create", "entity": "sites",
              "entity_id": "S01", "field": "id", "old": None, "new": '"S01"', "reason": None, "prev_hash": GENESIS_HASH}
    expected = hashlib.sha256(('{"action":"create","actor":"a","at":"2026-11-10T12:00:00.000000Z","entity":"sites",'
                               '"entity_id":"S01","field":"id","new":"\\"S01\\"","old":null,"prev_hash":"' + GENESIS_HASH
                               + '","reason":null,"seq":1}').encode()).hexdigest()
    assert entry_hash(fields) == expected
    assert canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'
    assert utc_timestamp(datetime(2026, 1, 1, 3, 0)) == "2026-01-01T03:00:00.000000Z"


def test_change_without_reason_is_refused(db):
    from sqlalchemy import select

    from dartnk.errors import InputError
    from dartnk.store.models import Site

    with pytest.raises(InputError, match="reason"):
        with db.write() as s:
            Recorder(s, db.trial_id, "tester", NOW).change(s.get(Site, "S01"), {"name": "Other"}, "  ")
    with db.write() as s:
        changed = Recorder(s, db.trial_id, "tester", NOW).change(s.get(Site, "S01"), {"name": "Other"}, "renamed")
    assert changed == ["name"] and _verify(db).ok
    with db.read() as s:
        assert s.execute(select(Site.name)).scalar_one() == "Other"


def test_any_single_edit_is_named_at_its_entry(tmp_path):
    """Property: editing any content column of any entry makes verification fail exactly there."""
    from hypothesis import given, settings, strategies as st

    d = open_database(f"sqlite:///{tmp_path / 'p.sqlite'}", default_protocol())
    with d.write() as s:
        rec = Recorder(s, d.trial_id, "tester", NOW)
        for i in range(4):
            add_user(rec, f"u{i}", "site_coordinator", f"S{i}", None)
    n = _verify(d).entries
    with d.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))

    @settings(max_examples=40, deadline=None, database=None)
    @given(seq=st.integers(1, n), column=st.sampled_from(["at", "actor", "action", "entity", "entity_id", "field",
                                                            "old", "new", "reason"]),
           value=st.text(min_size=1, max_size=8))
    def edit(seq, column, value):
        with d.engine.begin() as conn:
            original = conn.execute(text(f"SELECT {column} FROM audit_log WHERE seq = :s"), {"s": seq}).scalar()
            if original == value:
                return
            conn.execute(text(f"UPDATE audit_log SET {column} = :v WHERE seq = :s"), {"v": value, "s": seq})
        try:
            r = _verify(d)
            assert not r.ok and r.first_bad == seq, (seq, column, r)
        finally:
            with d.engine.begin() as conn:
                conn.execute(text(f"UPDATE audit_log SET {column} = :v WHERE seq = :s"), {"v": original, "s": seq})
        assert _verify(d).ok

    edit()
    d.dispose()


def test_records_edited_inserted_or_removed_behind_the_apps_back_are_named(db):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE sites SET name = 'Elsewhere' WHERE id = 'S01'"))
    r = _verify(db)
    assert not r.ok and r.first_bad is None and "sites S01 name" in r.problem
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE sites SET name = 'S01' WHERE id = 'S01'"))
    assert _verify(db).ok
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO sites (id, name, created_at) VALUES ('S99', 'rogue', '2026-01-01 00:00:00')"))
    r = _verify(db)
    assert not r.ok and "sites S99 has no audit entries" in r.problem
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM sites"))
    r = _verify(db)
    assert not r.ok and "sites S01 was removed" in r.problem


def test_api_verify_reports_a_record_edit(api):
    from tests.service.conftest import screened_patient

    pid = screened_patient(api)
    with api.app.state.db.engine.begin() as conn:
        conn.execute(text("UPDATE patients SET birth_year = 1990 WHERE id = :p"), {"p": pid})
    r = api.call("GET", "/audit/verify", "admin").json()
    assert r["ok"] is False and f"patients {pid} birth_year" in r["problem"]
