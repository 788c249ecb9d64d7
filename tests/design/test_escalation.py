"""The modified 3+3 rule: the per-level table, every arm-level rule, both values of every boolean."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from dartnk.design.decision_table import (LevelStatus, cohort_table, decision_rows, decision_table_lines,
                                          level_status, patients_to_complete)
from dartnk.design.escalation import (RULE_FIELDS, RULES, EscalationAction, EscalationDecision, LevelCounts,
                                      next_decision, settings_with)
from dartnk.errors import InputError
from dartnk.protocol.escalation import MtdRule

C = LevelCounts
A = EscalationAction


@pytest.fixture(scope="module")
def classic(protocol):
    """The protocol's classic 3+3 (A = B = 3; 0/3 escalate, 1/3 expand, ≤ 1/6 escalate)."""
    return protocol.escalation


def variant(base, **kw):
    return settings_with(base, **kw)


BOOLS = list(itertools.product([True, False], [True, False], list(MtdRule)))


# -- the per-level decision table (data) --------------------------------------------------------------

def test_classic_table_is_storer_3_plus_3(classic):
    # Storer, Biometrics 1989;45:925–937: 0/3 escalate; 1/3 add 3; ≥ 2/3 too toxic; ≤ 1/6 escalate; ≥ 2/6 too toxic.
    t = cohort_table(classic)
    assert t[(3, 0)] is LevelStatus.TOLERATED_AFTER_A
    assert t[(3, 1)] is LevelStatus.NEEDS_EXPANSION
    assert t[(3, 2)] is t[(3, 3)] is LevelStatus.TOO_TOXIC
    assert t[(6, 0)] is t[(6, 1)] is LevelStatus.TOLERATED
    assert all(t[(6, x)] is LevelStatus.TOO_TOXIC for x in range(2, 7))
    assert len(t) == 4 + 7


@given(a=st.integers(1, 6), b=st.integers(0, 6), data=st.data())
def test_table_matches_the_a_plus_b_definition(classic, a, b, data):
    """Every (n, x) of every A+B design, against Lin & Shih's definition written out directly."""
    e1 = data.draw(st.integers(0, a - 1))
    e0 = data.draw(st.integers(0, e1)) if b > 0 else e1
    e2 = data.draw(st.integers(0, a + b - 1))
    s = variant(classic, cohort_size=a, cohort_expansion=b, escalate_max_dlts=e0, expand_max_dlts=e1,
                escalate_max_dlts_expanded=e2)
    for x in range(a + 1):
        want = (LevelStatus.TOLERATED if b == 0 else LevelStatus.TOLERATED_AFTER_A) if x <= e0 else (
            LevelStatus.NEEDS_EXPANSION if x <= e1 else LevelStatus.TOO_TOXIC)
        assert level_status(s, a, x) is want
    if b:
        for x in range(a + b + 1):
            assert level_status(s, a + b, x) is (LevelStatus.TOLERATED if x <= e2 else LevelStatus.TOO_TOXIC)
    assert level_status(s, 0, 0) is LevelStatus.UNTREATED
    assert len(decision_rows(s)) == (a + 1) + (a + b + 1 if b else 0)


def test_partial_cohorts(classic):
    assert level_status(classic, 1, 0) is LevelStatus.IN_PROGRESS
    assert level_status(classic, 2, 1) is LevelStatus.IN_PROGRESS
    assert level_status(classic, 2, 2) is LevelStatus.TOO_TOXIC  # 2 of the first 2: > 1 whatever the third shows
    assert level_status(classic, 4, 1) is LevelStatus.IN_PROGRESS
    assert level_status(classic, 5, 2) is LevelStatus.TOO_TOXIC  # 2 DLTs already exceed ≤ 1/6
    assert patients_to_complete(classic, 2) == 1 and patients_to_complete(classic, 4) == 2


def test_decision_table_text_covers_every_row(classic):
    for de, et, rule in BOOLS:
        lines = decision_table_lines(variant(classic, deescalate=de, expand_top_level=et, mtd_rule=rule))
        assert f"deescalate = {str(de).lower()}" in "\n".join(lines)
        assert f"expand_top_level = {str(et).lower()}" in "\n".join(lines)
        assert sum(1 for ln in lines if ln[:1].isdigit()) == 11


# -- the arm-level rules, exhaustively over the booleans ------------------------------------------------

def decide(s, counts, current, names=None):
    return next_decision(s, [C(*c) for c in counts], current, names)


@pytest.mark.parametrize("de,et,rule", BOOLS)
def test_start_and_escalation(classic, de, et, rule):
    s = variant(classic, deescalate=de, expand_top_level=et, mtd_rule=rule)
    d = decide(s, [(0, 0)] * 4, 1)
    assert (d.action, d.level, d.n_patients) == (A.TREAT_SAME, 1, 3) and not d.done
    d = decide(s, [(3, 0), (0, 0), (0, 0)], 0)
    assert (d.action, d.level, d.n_patients) == (A.ESCALATE, 1, 3)
    d = decide(s, [(3, 0), (3, 1), (0, 0)], 1)
    assert (d.action, d.level, d.n_patients) == (A.TREAT_SAME, 1, 3)
    d = decide(s, [(3, 0), (6, 1), (0, 0)], 1)
    assert (d.action, d.level, d.n_patients) == (A.ESCALATE, 2, 3)


@pytest.mark.parametrize("de,et,rule", BOOLS)
def test_top_level(classic, de, et, rule):
    s = variant(classic, deescalate=de, expand_top_level=et, mtd_rule=rule)
    d = decide(s, [(3, 0), (3, 0), (3, 0)], 2)
    if et:
        assert (d.action, d.level, d.n_patients) == (A.TREAT_SAME, 2, 3)
    else:
        assert (d.action, d.level, d.n_patients) == (A.DECLARE_MTD, 2, 0) and d.done
    for x in (0, 1):
        d = decide(s, [(3, 0), (3, 0), (6, x)], 2)
        assert (d.action, d.level) == (A.DECLARE_MTD, 2)
    d = decide(s, [(3, 0), (3, 0), (3, 1)], 2)
    assert (d.action, d.level, d.n_patients) == (A.TREAT_SAME, 2, 3)


@pytest.mark.parametrize("de,et,rule", BOOLS)
def test_too_toxic_with_level_below_treated_three(classic, de, et, rule):
    s = variant(classic, deescalate=de, expand_top_level=et, mtd_rule=rule)
    d = decide(s, [(3, 0), (3, 2), (0, 0)], 1)
    if de:
        assert (d.action, d.level, d.n_patients) == (A.DEESCALATE, 0, 3)
    elif rule is MtdRule.BELOW_TOXIC:
        assert (d.action, d.level) == (A.DECLARE_MTD, 0)
    else:  # highest_full_tolerated: level 1 has only 3 patients, none qualifies
        assert (d.action, d.level) == (A.STOP_NO_TOLERABLE, None) and d.done


@pytest.mark.parametrize("de,et,rule", BOOLS)
def test_too_toxic_with_level_below_full(classic, de, et, rule):
    s = variant(classic, deescalate=de, expand_top_level=et, mtd_rule=rule)
    for x in (2, 3):
        d = decide(s, [(6, 1), (3, x), (0, 0)], 1)
        assert (d.action, d.level, d.n_patients) == (A.DECLARE_MTD, 0, 0)
    d = decide(s, [(6, 1), (6, 2), (0, 0)], 1)
    assert (d.action, d.level) == (A.DECLARE_MTD, 0)


@pytest.mark.parametrize("de,et,rule", BOOLS)
def test_lowest_level_too_toxic_stops(classic, de, et, rule):
    s = variant(classic, deescalate=de, expand_top_level=et, mtd_rule=rule)
    for counts in ([(3, 2), (0, 0)], [(3, 3), (0, 0)], [(6, 2), (0, 0)]):
        d = decide(s, counts, 0)
        assert (d.action, d.level, d.n_patients) == (A.STOP_NO_TOLERABLE, None, 0) and d.done


@pytest.mark.parametrize("de,et,rule", BOOLS)
def test_below_the_start_level(classic, de, et, rule):
    """Start at DL1 (index 1) with DL-1 below it: the untreated level is treated with A first."""
    s = variant(classic, deescalate=de, expand_top_level=et, mtd_rule=rule)
    d = decide(s, [(0, 0), (3, 2), (0, 0)], 1, ["DL-1", "DL1", "DL2"])
    assert (d.action, d.level, d.n_patients) == (A.DEESCALATE, 0, 3)
    assert "DL1 is too toxic" in d.reason and "DL-1" in d.reason
    d = decide(s, [(3, 0), (3, 2), (0, 0)], 0)  # after 0/3 at DL-1
    if not de and rule is MtdRule.BELOW_TOXIC:
        assert (d.action, d.level) == (A.DECLARE_MTD, 0)
    else:  # it needs A+B to be declared
        assert (d.action, d.level, d.n_patients) == (A.TREAT_SAME, 0, 3)
    d = decide(s, [(6, 1), (3, 2), (0, 0)], 0)
    assert (d.action, d.level) == (A.DECLARE_MTD, 0)
    d = decide(s, [(6, 2), (3, 2), (0, 0)], 0)
    assert (d.action, d.level) == (A.STOP_NO_TOLERABLE, None)


def test_deescalation_chain_continues_downward(classic):
    s = classic  # deescalate = true
    counts = [(3, 0), (3, 0), (6, 2), (3, 2)]
    d = decide(s, counts, 2)  # level 3 confirmed too toxic: go to level 2 (3 patients), treat 3 more
    assert (d.action, d.level, d.n_patients) == (A.DEESCALATE, 1, 3)
    d = decide(s, [(3, 0), (6, 2), (6, 2), (3, 2)], 1)
    assert (d.action, d.level, d.n_patients) == (A.DEESCALATE, 0, 3)
    d = decide(s, [(6, 1), (6, 2), (6, 2), (3, 2)], 0)
    assert (d.action, d.level) == (A.DECLARE_MTD, 0)
    d = decide(s, [(6, 2), (6, 2), (6, 2), (3, 2)], 0)
    assert d.action is A.STOP_NO_TOLERABLE


def test_highest_full_tolerated_without_deescalation(classic):
    s = variant(classic, deescalate=False, mtd_rule="highest_full_tolerated")
    d = decide(s, [(6, 1), (3, 0), (3, 2)], 2)  # level 2 only has 3 → level 1 (6 patients, 1 DLT)
    assert (d.action, d.level) == (A.DECLARE_MTD, 0)
    d = decide(variant(classic, deescalate=False), [(6, 1), (3, 0), (3, 2)], 2)  # below_toxic: level 2
    assert (d.action, d.level) == (A.DECLARE_MTD, 1)


def test_never_re_escalates_to_a_too_toxic_level(classic):
    s = classic
    d = decide(s, [(6, 0), (3, 2)], 0)
    assert (d.action, d.level) == (A.DECLARE_MTD, 0)
    d = decide(s, [(3, 0), (3, 3), (0, 0)], 0)  # 0/3 at level 1 after de-escalation: confirm, never go up
    assert (d.action, d.level, d.n_patients) == (A.TREAT_SAME, 0, 3)


def test_partial_cohort_completion_and_early_too_toxic(classic):
    d = decide(classic, [(2, 0), (0, 0)], 0)
    assert (d.action, d.level, d.n_patients) == (A.TREAT_SAME, 0, 1)
    d = decide(classic, [(3, 0), (4, 1)], 1)
    assert (d.action, d.level, d.n_patients) == (A.TREAT_SAME, 1, 2)
    d = decide(classic, [(3, 0), (2, 2), (0, 0)], 1)  # 2 DLTs in the first 2: too toxic already
    assert (d.action, d.level, d.n_patients) == (A.DEESCALATE, 0, 3)


def test_escalation_package_reference_paths(classic):
    """Decisions of the R package ``escalation`` (Brock), tests/testthat/test_three_plus_three.R, with
    ``allow_deescalate`` = deescalate and the top level not expanded (its behaviour)."""
    no = variant(classic, deescalate=False, expand_top_level=False)
    yes = variant(classic, deescalate=True, expand_top_level=False)
    k5 = [(0, 0)] * 5

    def counts(**levels):
        out = list(k5)
        for key, val in levels.items():
            out[int(key[1:]) - 1] = val
        return out

    # '1NNN 2NTT': without de-escalation recommend 1 and stop; with it, go back to 1 and continue
    d = decide(no, counts(l1=(3, 0), l2=(3, 2)), 1)
    assert (d.action, d.level) == (A.DECLARE_MTD, 0)
    d = decide(yes, counts(l1=(3, 0), l2=(3, 2)), 1)
    assert (d.action, d.level, d.n_patients) == (A.DEESCALATE, 0, 3)
    # '1NNN 2NNT 2NNT' (2/6 at level 2) behaves the same way
    assert decide(no, counts(l1=(3, 0), l2=(6, 2)), 1).action is A.DECLARE_MTD
    assert decide(yes, counts(l1=(3, 0), l2=(6, 2)), 1).action is A.DEESCALATE
    # '1NNN 2NNN 3NNN 4NNN 5NNN': recommend 5 and stop; '... 5NTT': recommend 4
    top = counts(l1=(3, 0), l2=(3, 0), l3=(3, 0), l4=(3, 0))
    assert decide(no, top[:4] + [(3, 0)], 4).level == 4
    assert decide(no, top[:4] + [(3, 2)], 4).level == 3
    assert decide(no, top[:4] + [(6, 1)], 4).level == 4  # '5NNT 5NNN'
    assert decide(no, top[:4] + [(6, 2)], 4).level == 3  # '5NNT 5NNT'


def test_reasons_name_counts_levels_and_thresholds(classic):
    d = decide(classic, [(3, 0), (3, 1), (0, 0)], 1, ["DL1", "DL2", "DL3"])
    assert d.reason == "1 DLT in 3 patients at DL2 (≤ 1): treat 3 more at DL2"
    d = decide(classic, [(3, 0), (0, 0)], 0, ["DL1", "DL2"])
    assert d.reason == "0 DLTs in 3 patients at DL1 (≤ 0): escalate to DL2, treat 3"
    d = decide(classic, [(6, 1), (3, 2)], 1, ["DL1", "DL2"])
    assert "DL2 is too toxic" in d.reason and d.reason.endswith("DL1 is the MTD")
    d = decide(classic, [(3, 2)], 0)
    assert d.reason.endswith("stop, no tolerable dose")


def test_rules_are_data(classic):
    assert [name for name, _, _ in RULES] == ["too_toxic", "in_progress", "untreated", "needs_expansion",
                                              "below_too_toxic", "top_tolerated", "escalate"]
    assert isinstance(decide(classic, [(0, 0)], 0), EscalationDecision)


def test_b_zero_design(classic):
    s = variant(classic, cohort_expansion=0, expand_max_dlts=0, escalate_max_dlts_expanded=0)
    assert decide(s, [(3, 0), (0, 0)], 0).action is A.ESCALATE
    assert (decide(s, [(3, 0), (3, 0)], 1).action, decide(s, [(3, 0), (3, 0)], 1).level) == (A.DECLARE_MTD, 1)
    assert decide(s, [(3, 0), (3, 1)], 1).level == 0


# -- purity and validation -----------------------------------------------------------------------------

@hsettings(max_examples=200)
@given(data=st.data())
def test_pure_and_well_formed_for_any_valid_counts(classic, data):
    k = data.draw(st.integers(1, 6))
    counts = []
    for _ in range(k):
        n = data.draw(st.integers(0, 6))
        counts.append((n, data.draw(st.integers(0, n))))
    current = data.draw(st.integers(0, k - 1))
    s = variant(classic, deescalate=data.draw(st.booleans()), expand_top_level=data.draw(st.booleans()),
                mtd_rule=data.draw(st.sampled_from(list(MtdRule))))
    d1, d2 = decide(s, counts, current), decide(s, counts, current)
    assert d1 == d2
    assert d1.reason
    if d1.done:
        assert d1.n_patients == 0
        assert (d1.level is None) == (d1.action is A.STOP_NO_TOLERABLE)
        if d1.level is not None:
            assert level_status(s, *counts[d1.level]).tolerated
    else:
        assert 0 <= d1.level < k and 1 <= d1.n_patients
        assert counts[d1.level][0] + d1.n_patients <= s.max_per_level
        assert level_status(s, *counts[d1.level]) is not LevelStatus.TOO_TOXIC


@pytest.mark.parametrize("counts,current,field", [
    ([], 0, "counts"),
    ([(7, 0)], 0, "counts[0].treated"),
    ([(-1, 0)], 0, "counts[0].treated"),
    ([(3, 4)], 0, "counts[0].dlts"),
    ([(3, -1)], 0, "counts[0].dlts"),
    ([(3, 0)], 1, "current"),
    ([(3, 0)], -1, "current"),
])
def test_bad_counts_are_input_errors(classic, counts, current, field):
    with pytest.raises(InputError) as exc:
        decide(classic, counts, current)
    assert exc.value.field_path == field


def test_level_names_must_match(classic):
    with pytest.raises(InputError, match="level_names"):
        decide(classic, [(0, 0)], 0, ["a", "b"])


def test_settings_with(classic):
    s = settings_with(classic, deescalate="false", cohort_size="4", mtd_rule="highest_full_tolerated")
    assert s.deescalate is False and s.cohort_size == 4 and s.mtd_rule is MtdRule.HIGHEST_FULL_TOLERATED
    assert classic.deescalate is True  # the original is untouched
    with pytest.raises(InputError, match=r"escalation\.nope"):
        settings_with(classic, nope=1)
    with pytest.raises(InputError, match=r"--set cohort_size"):
        settings_with(classic, field_prefix="--set", cohort_size=0)
    with pytest.raises(InputError, match="expand_max_dlts"):
        settings_with(classic, expand_max_dlts=3)
    assert "start_level" not in RULE_FIELDS and "deescalate" in RULE_FIELDS


def test_docs_worked_example(classic):
    """The worked example of docs/escalation.md (DART-NK-SCLC arm, start DL1), reason by reason."""
    names = ["DL-1", "DL1", "DL2", "DL3"]
    steps = [
        ([(0, 0), (0, 0), (0, 0), (0, 0)], 1, A.TREAT_SAME, 1, "no patients yet at DL1: treat 3 at DL1"),
        ([(0, 0), (3, 0), (0, 0), (0, 0)], 1, A.ESCALATE, 2, "0 DLTs in 3 patients at DL1 (≤ 0): escalate to DL2, treat 3"),
        ([(0, 0), (3, 0), (3, 1), (0, 0)], 2, A.TREAT_SAME, 2, "1 DLT in 3 patients at DL2 (≤ 1): treat 3 more at DL2"),
        ([(0, 0), (3, 0), (6, 1), (0, 0)], 2, A.ESCALATE, 3, "1 DLT in 6 patients at DL2 (≤ 1): escalate to DL3, treat 3"),
        ([(0, 0), (3, 0), (6, 1), (3, 2)], 3, A.DECLARE_MTD, 2,
         "2 DLTs in 3 patients at DL3 (> 1): DL3 is too toxic; 1 DLT in 6 patients at DL2 is tolerated: DL2 is the MTD"),
    ]
    docs = (__import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "escalation.md").read_text(encoding="utf-8")
    for counts, current, action, level, reason in steps:
        d = decide(classic, counts, current, names)
        assert (d.action, d.level, d.reason) == (action, level, reason)
        assert reason in docs
