"""The per-level decision table of the modified 3+3 (A+B) design, as data.

A dose level's *status* depends only on its own counts — n DLT-evaluable patients treated and x
with a DLT — through the A+B rule of Lin & Shih (Biostatistics 2001;2:203–215), which the
classic 3+3 (Storer, Biometrics 1989;45:925–937) is the case A = B = 3, 0/1/1 of:

=====================  =====================================  ==================
patients treated       DLTs                                   status
=====================  =====================================  ==================
0                      –                                      untreated
A                      x ≤ ``escalate_max_dlts``              tolerated after A
A                      x ≤ ``expand_max_dlts``                needs B more
A                      x > ``expand_max_dlts``                too toxic
A + B                  x ≤ ``escalate_max_dlts_expanded``     tolerated
A + B                  otherwise                              too toxic
=====================  =====================================  ==================

With B = 0 a level is final after A (tolerated or too toxic). Between the complete cohorts a
level is *in progress*, unless its DLTs already exceed the bound its cohort is judged by, which
makes it too toxic whatever the remaining patients show (enrolment there stops).

:func:`cohort_table` builds that table from the settings; :func:`level_status` reads it;
:func:`decision_rows` renders it as protocols print it (``dartnk decisions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from dartnk.protocol.escalation import EscalationSettings, MtdRule


class LevelStatus(str, Enum):
    """Where one dose level stands, from its own counts only."""

    UNTREATED = "untreated"
    IN_PROGRESS = "in_progress"
    TOLERATED_AFTER_A = "tolerated_after_a"
    NEEDS_EXPANSION = "needs_expansion"
    TOLERATED = "tolerated"
    TOO_TOXIC = "too_toxic"

    @property
    def tolerated(self) -> bool:
        return self in (LevelStatus.TOLERATED_AFTER_A, LevelStatus.TOLERATED)


@dataclass(frozen=True)
class CohortRow:
    """One row of the table: after ``treated`` patients with ``dlts`` DLTs, the level's status."""

    treated: int
    dlts: int
    status: LevelStatus


def cohort_table(settings: EscalationSettings) -> Mapping[tuple[int, int], LevelStatus]:
    """Status of a level for every complete-cohort count ``(n, x)`` (n ∈ {A, A+B}, 0 ≤ x ≤ n)."""
    return _table(settings.cohort_size, settings.cohort_expansion, settings.escalate_max_dlts,
                  settings.expand_max_dlts, settings.escalate_max_dlts_expanded)


@lru_cache(maxsize=256)
def _table(a: int, b: int, escalate: int, expand: int, escalate_expanded: int) -> Mapping[tuple[int, int], LevelStatus]:
    table: dict[tuple[int, int], LevelStatus] = {}
    after_a_ok = LevelStatus.TOLERATED if b == 0 else LevelStatus.TOLERATED_AFTER_A
    for x in range(a + 1):
        if x <= escalate:
            table[(a, x)] = after_a_ok
        elif x <= expand:
            table[(a, x)] = LevelStatus.NEEDS_EXPANSION
        else:
            table[(a, x)] = LevelStatus.TOO_TOXIC
    if b > 0:
        for x in range(a + b + 1):
            table[(a + b, x)] = LevelStatus.TOLERATED if x <= escalate_expanded else LevelStatus.TOO_TOXIC
    return MappingProxyType(table)  # shared between callers: read-only


def level_status(settings: EscalationSettings, treated: int, dlts: int) -> LevelStatus:
    """The status of one level with ``treated`` evaluable patients, ``dlts`` of them with a DLT.

    Counts must satisfy 0 ≤ dlts ≤ treated ≤ A + B (the caller validates them).
    """
    return _status(settings, cohort_table(settings), treated, dlts)


def level_statuses(settings: EscalationSettings, counts) -> tuple[LevelStatus, ...]:
    """The status of every level from its ``(treated, dlts)`` counts (one table look-up per level)."""
    table = cohort_table(settings)
    return tuple([_status(settings, table, n, x) for n, x in counts])


def level_status_from(settings: EscalationSettings, table: Mapping[tuple[int, int], LevelStatus], treated: int,
                      dlts: int) -> LevelStatus:
    """:func:`level_status` with the settings' :func:`cohort_table` already in hand."""
    return _status(settings, table, treated, dlts)


def _status(settings: EscalationSettings, table: Mapping[tuple[int, int], LevelStatus], treated: int,
            dlts: int) -> LevelStatus:
    if treated == 0:
        return LevelStatus.UNTREATED
    status = table.get((treated, dlts))
    if status is not None:
        return status
    a = settings.cohort_size
    bound = settings.expand_max_dlts if treated < a else settings.escalate_max_dlts_expanded
    return LevelStatus.TOO_TOXIC if dlts > bound else LevelStatus.IN_PROGRESS


def patients_to_complete(settings: EscalationSettings, treated: int) -> int:
    """How many more patients complete the cohort under way at a level with ``treated`` patients."""
    a = settings.cohort_size
    return a - treated if treated < a else settings.max_per_level - treated


# -- the table as protocols print it -------------------------------------------------------------

def too_toxic_text(settings: EscalationSettings) -> str:
    """What happens when a level proves too toxic, in the protocol's words."""
    a, b = settings.cohort_size, settings.cohort_expansion
    if settings.deescalate and b > 0:
        return (f"too toxic: de-escalate; the level below is the MTD once it has {a + b} patients "
                f"(treat {b} more there if it has {a}, {a} if untreated), else continue downward")
    if settings.mtd_rule is MtdRule.HIGHEST_FULL_TOLERATED and b > 0:
        return (f"too toxic: stop; MTD = highest lower level tolerated with {a + b} patients "
                f"(an untreated level below the start is first treated with {a})")
    return f"too toxic: stop; MTD = the level below (an untreated level below the start is first treated with {a})"


def status_action_text(settings: EscalationSettings, status: LevelStatus) -> str:
    """The action a status leads to at the current level, as a protocol table prints it."""
    a, b = settings.cohort_size, settings.cohort_expansion
    if status is LevelStatus.TOLERATED_AFTER_A:
        top = f"treat {b} more" if settings.expand_top_level else "declare it the MTD"
        return f"escalate to the next level (at the top level: {top})"
    if status is LevelStatus.NEEDS_EXPANSION:
        return f"treat {b} more at the same level"
    if status is LevelStatus.TOLERATED:
        return "escalate to the next level (at the top level, or below a too-toxic level: declare it the MTD)"
    if status is LevelStatus.TOO_TOXIC:
        if settings.deescalate and b > 0:
            return "too toxic: never escalate to it again; de-escalate (see the de-escalation rule)"
        return "too toxic: never escalate to it again; name the MTD below it (see the de-escalation rule)"
    return f"treat {a}"


def decision_rows(settings: EscalationSettings) -> list[CohortRow]:
    """Every row of the table, patients treated then DLTs ascending."""
    return [CohortRow(n, x, s) for (n, x), s in sorted(cohort_table(settings).items())]


def decision_table_lines(settings: EscalationSettings) -> list[str]:
    """The escalation decision table as a protocol prints it, plus the rules that complete it."""
    a, b = settings.cohort_size, settings.cohort_expansion
    rows = decision_rows(settings)
    head = ("Patients treated", "DLTs", "Action")
    body = [(str(r.treated), str(r.dlts), status_action_text(settings, r.status)) for r in rows]
    w0 = max(len(head[0]), *(len(r[0]) for r in body))
    w1 = max(len(head[1]), *(len(r[1]) for r in body))
    lines = [f"Modified 3+3 (A+B) decision table: A = {a}, B = {b}; counts of DLT-evaluable patients "
             "at the current level", "",
             f"{head[0]:<{w0}}  {head[1]:>{w1}}  {head[2]}",
             f"{'-' * w0}  {'-' * w1}  {'-' * len(head[2])}"]
    lines += [f"{r[0]:<{w0}}  {r[1]:>{w1}}  {r[2]}" for r in body]
    lines += ["", "Rules that complete the table:",
              "- escalate one level at a time; never re-escalate to a level that proved too toxic",
              f"- de-escalation (deescalate = {str(settings.deescalate).lower()}): {too_toxic_text(settings)}",
              f"- top level (expand_top_level = {str(settings.expand_top_level).lower()}): "
              + (f"with ≤ {settings.escalate_max_dlts}/{a} DLTs treat {b} more before declaring it the MTD"
                 if settings.expand_top_level and b > 0 else f"with ≤ {settings.escalate_max_dlts}/{a} DLTs it is the MTD"),
              f"- MTD rule: {settings.mtd_rule.value}; a too-toxic lowest level stops the arm with no tolerable dose"]
    return lines
