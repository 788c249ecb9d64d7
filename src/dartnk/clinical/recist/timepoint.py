"""RECIST 1.1 time point response: Table 1 (target ± non-target) and Table 2 (non-target only).

Eisenhauer et al., Eur J Cancer 2009;45:228–247, §4.3 and Tables 1–2. The tables are data
(:data:`TABLE_1`, :data:`TABLE_2`): the first row that matches decides, and its label is the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class _Category(str, Enum):
    """A response category; parses common spellings ("Non-CR/Non-PD", "not evaluable")."""

    @classmethod
    def parse(cls, value: object) -> "_Category":
        if isinstance(value, cls):
            return value
        text = str(value).strip().upper().replace("-", "_").replace("/", "_").replace(" ", "_")
        text = _ALIASES.get(text, text)
        return cls(text)

    @classmethod
    def names(cls) -> str:
        return "|".join(m.value for m in cls)


_ALIASES = {"NOT_EVALUABLE": "NE", "NOT_EVALUATED": "NE", "NOT_ALL_EVALUATED": "NE",
            "NON_CR_NONPD": "NON_CR_NON_PD", "NONCR_NONPD": "NON_CR_NON_PD",
            "UNEQUIVOCAL_PD": "PD", "NO_EVIDENCE_OF_DISEASE": "NED"}


class TargetResponse(_Category):
    """Target lesion response (§4.3.1); NONE = no target lesions at baseline; NE = not all evaluated."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NE = "NE"
    NONE = "NONE"


class NonTargetResponse(_Category):
    """Non-target lesion response (§4.3.2); NONE = no non-target disease at baseline."""

    CR = "CR"
    NON_CR_NON_PD = "NON_CR_NON_PD"
    PD = "PD"
    NE = "NE"
    NONE = "NONE"


class OverallResponse(_Category):
    """Overall time point response (Tables 1–2). NON_CR_NON_PD only for non-target-only disease;
    NED (no evidence of disease, CDISC RS terminology) when there was no disease at baseline and
    no new lesion: the tables have no row for it."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    NON_CR_NON_PD = "NON_CR_NON_PD"
    PD = "PD"
    NE = "NE"
    NED = "NED"


T, N, O = TargetResponse, NonTargetResponse, OverallResponse
_ANY_T = frozenset(T) - {T.NONE}
_ANY_N = frozenset(N)
_NON_PD = frozenset({N.CR, N.NON_CR_NON_PD, N.NE, N.NONE})
_NEW_ANY = frozenset({True, False})


@dataclass(frozen=True)
class TableRow:
    """One row of Table 1 or 2: the sets of inputs it covers, the overall response and its label."""

    targets: frozenset
    non_targets: frozenset
    new_lesions: frozenset
    overall: OverallResponse
    label: str

    def matches(self, target: TargetResponse, non_target: NonTargetResponse, new: bool) -> bool:
        return target in self.targets and non_target in self.non_targets and new in self.new_lesions


def _row(targets, non_targets, new, overall, label) -> TableRow:
    return TableRow(frozenset(targets), frozenset(non_targets), frozenset(new), overall, label)


#: Table 1 — patients with target (± non-target) disease. "NONE" non-target (no non-target disease
#: at baseline) reads as the CR column: there is no non-target disease left to resolve.
TABLE_1: tuple[TableRow, ...] = (
    _row(_ANY_T, _ANY_N, {True}, O.PD, "Table 1: any target, any non-target, new lesions yes → PD"),
    _row({T.PD}, _ANY_N, _NEW_ANY, O.PD, "Table 1: target PD, any non-target → PD"),
    _row(_ANY_T, {N.PD}, _NEW_ANY, O.PD, "Table 1: any target, non-target PD → PD"),
    _row({T.CR}, {N.CR, N.NONE}, {False}, O.CR, "Table 1: target CR, non-target CR (or none), no new lesions → CR"),
    _row({T.CR}, {N.NON_CR_NON_PD}, {False}, O.PR, "Table 1: target CR, non-target non-CR/non-PD, no new lesions → PR"),
    _row({T.CR}, {N.NE}, {False}, O.PR, "Table 1: target CR, non-target not evaluated, no new lesions → PR"),
    _row({T.PR}, _NON_PD, {False}, O.PR, "Table 1: target PR, non-target non-PD or not all evaluated, no new lesions → PR"),
    _row({T.SD}, _NON_PD, {False}, O.SD, "Table 1: target SD, non-target non-PD or not all evaluated, no new lesions → SD"),
    _row({T.NE}, _NON_PD, {False}, O.NE, "Table 1: target not all evaluated, non-target non-PD, no new lesions → NE"),
)

#: Table 2 — patients with non-target disease only (no target lesions at baseline).
TABLE_2: tuple[TableRow, ...] = (
    _row({T.NONE}, _ANY_N, {True}, O.PD, "Table 2: any non-target, new lesions yes → PD"),
    _row({T.NONE}, {N.PD}, _NEW_ANY, O.PD, "Table 2: non-target unequivocal PD → PD"),
    _row({T.NONE}, {N.CR}, {False}, O.CR, "Table 2: non-target CR, no new lesions → CR"),
    _row({T.NONE}, {N.NON_CR_NON_PD}, {False}, O.NON_CR_NON_PD,
         "Table 2: non-target non-CR/non-PD, no new lesions → non-CR/non-PD"),
    _row({T.NONE}, {N.NE}, {False}, O.NE, "Table 2: non-target not all evaluated, no new lesions → NE"),
    _row({T.NONE}, {N.NONE}, {False}, O.NED,
         "no target and no non-target disease at baseline and no new lesions → NED (no evidence of disease)"),
)


@dataclass(frozen=True)
class TimepointDecision:
    """The overall time point response and the table row that decided it."""

    overall: OverallResponse
    reason: str


def timepoint_decision(target: TargetResponse | str, non_target: NonTargetResponse | str,
                       new_lesions: bool) -> TimepointDecision:
    """Overall response at one time point with the table row that decided it (Tables 1 and 2)."""
    target = TargetResponse.parse(target)
    non_target = NonTargetResponse.parse(non_target)
    table = TABLE_2 if target is TargetResponse.NONE else TABLE_1
    for row in table:
        if row.matches(target, non_target, bool(new_lesions)):
            return TimepointDecision(row.overall, row.label)
    raise AssertionError(f"RECIST tables cover every input; no row for {target}, {non_target}, {new_lesions}")


def timepoint_response(target: TargetResponse | str, non_target: NonTargetResponse | str,
                       new_lesions: bool) -> OverallResponse:
    """Overall time point response (RECIST 1.1 Tables 1 and 2)."""
    return timepoint_decision(target, non_target, new_lesions).overall


def timepoint_record(data: object, prefix: str = "") -> dict:
    """``{"target", "non_target", "new_lesions"}`` → ``{"overall", "reason"}``; bad input names the field."""
    from dartnk.clinical.recist.settings import ANNOTATIONS, annotations
    from dartnk.errors import InputError, Problem

    def path(name: str) -> str:
        return f"{prefix}.{name}" if prefix else name

    if not isinstance(data, dict):
        raise InputError.field(prefix or "input", data, 'an object {"target", "non_target", "new_lesions"}')
    problems: list[Problem] = []
    parsed: dict[str, object] = {}
    for name, kind in (("target", TargetResponse), ("non_target", NonTargetResponse)):
        if name not in data:
            problems.append(Problem(path(name), f"required field is missing (one of {kind.names()})", has_value=False))
            continue
        try:
            parsed[name] = kind.parse(data[name])
        except ValueError:
            problems.append(Problem(path(name), f"one of {kind.names()}", data[name]))
    new = data.get("new_lesions")
    if not isinstance(new, bool):
        problems.append(Problem(path("new_lesions"), "true or false", new) if "new_lesions" in data
                        else Problem(path("new_lesions"), "required field is missing (true or false)", has_value=False))
    for extra in sorted(set(data) - {"target", "non_target", "new_lesions"} - set(ANNOTATIONS)):
        problems.append(Problem(path(extra), "unknown field", has_value=False))
    if problems:
        raise InputError(problems)
    decision = timepoint_decision(parsed["target"], parsed["non_target"], new)  # type: ignore[arg-type]
    return {**annotations(data), "target": parsed["target"].value, "non_target": parsed["non_target"].value,  # type: ignore[union-attr]
            "new_lesions": new, "overall": decision.overall.value, "reason": decision.reason}
