"""RECIST 1.1 best overall response, with and without confirmation.

Eisenhauer et al., Eur J Cancer 2009;45:228–247, §4.4 (best overall response, minimum duration of
SD), §4.6 and Table 3 (confirmation of CR/PR, ≥ 4 weeks), Table 3 footnote a (CR followed by PR);
RECIST working group Q&A ("Does a new lesion always result in PD?": a CR followed by PR is PR at
both assessments when the CR was not confirmed). Time points after the first PD do not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Sequence

from dartnk.errors import InputError
from dartnk.protocol.response import RecistSettings
from dartnk.clinical.recist.timepoint import OverallResponse

O = OverallResponse
_RESPONSE = frozenset({O.CR, O.PR})               # qualifies as PR-level response (CR counts, Table 3 "PR CR")
_STABLE_OR_BETTER = frozenset({O.CR, O.PR, O.SD, O.NON_CR_NON_PD})
_STABLE = frozenset({O.SD, O.NON_CR_NON_PD})


@dataclass(frozen=True)
class Timepoint:
    """One assessment's overall time point response, on a study day."""

    day: int
    overall: OverallResponse


@dataclass(frozen=True)
class BestResponse:
    """The best overall response, why, and the days of the response and of its confirmation."""

    best_overall_response: OverallResponse
    reason: str
    response_day: Optional[int] = None
    confirmation_day: Optional[int] = None

    def to_dict(self) -> dict[str, Any]:
        return {"best_overall_response": self.best_overall_response.value, "reason": self.reason,
                "response_day": self.response_day, "confirmation_day": self.confirmation_day}


def as_timepoints(items: Iterable[Timepoint | Mapping[str, Any] | tuple], field: str = "timepoints") -> list[Timepoint]:
    """Time points from ``Timepoint``, ``(day, overall)`` or ``{"day", "overall"}``, strictly in day order."""
    out: list[Timepoint] = []
    for i, item in enumerate(items):
        path = f"{field}[{i}]"
        if isinstance(item, Timepoint):
            tp = item
        else:
            day, overall = (item.get("day"), item.get("overall")) if isinstance(item, Mapping) else tuple(item)
            if isinstance(day, bool) or not isinstance(day, int):
                raise InputError.field(f"{path}.day", day, "an integer study day")
            try:
                tp = Timepoint(day, OverallResponse.parse(overall))
            except ValueError:
                raise InputError.field(f"{path}.overall", overall, f"one of {OverallResponse.names()}") from None
        if out and tp.day <= out[-1].day:
            raise InputError.field(f"{path}.day", tp.day, f"a day after the previous time point (day {out[-1].day})")
        out.append(tp)
    return out


def best_overall_response(timepoints: Sequence[Timepoint | Mapping[str, Any] | tuple],
                          settings: RecistSettings | None = None, baseline_day: int = 0) -> BestResponse:
    """Best overall response from time point responses (RECIST 1.1 §4.4, Table 3).

    With ``settings.confirmation_required``: CR needs a later CR ≥ ``confirmation_min_days`` after
    it, with only CR or NE in between (the "CR NE CR" case); PR needs a later PR or CR ≥ that many
    days after a PR (or an unconfirmed CR: "CR PR" → PR), with only CR, PR, NE (and SD if
    ``confirmation_allows_intervening_sd``) in between. Otherwise, and without confirmation for
    SD: SD (non-CR/non-PD for non-target-only disease) when a time point of SD or better lies
    ≥ ``min_sd_days`` after ``baseline_day``; else PD if progression followed; else NE.
    """
    settings = settings if settings is not None else RecistSettings()
    points = as_timepoints(timepoints)
    considered, progressed = _until_progression(points)
    if settings.confirmation_required:
        decided = _confirmed_cr(considered, settings) or _confirmed_pr(considered, settings)
    else:
        decided = _unconfirmed(considered)
    return decided or _stable_or_worse(points, considered, progressed, settings, baseline_day)


def _until_progression(points: list[Timepoint]) -> tuple[list[Timepoint], bool]:
    """§4.4: the best response recorded until disease progression (that time point included).

    An SD (or non-CR/non-PD) right after a CR (NE in between ignored) is progression too: disease
    seen again after a true CR is PD (Table 3 footnote a, row "CR SD … otherwise PD"). A PR after a
    CR is not: the CR was not a true CR and both are PR (Q&A "Does a new lesion always result in PD?").
    """
    last: Optional[Timepoint] = None
    for i, tp in enumerate(points):
        if tp.overall is O.PD or (tp.overall in _STABLE and last is not None and last.overall is O.CR):
            return points[: i + 1], True
        if tp.overall is not O.NE:
            last = tp
    return points, False


def _unconfirmed(points: list[Timepoint]) -> Optional[BestResponse]:
    for category in (O.CR, O.PR):
        hit = next((tp for tp in points if tp.overall is category), None)
        if hit:
            return BestResponse(category, f"{category.value} at day {hit.day} (confirmation not required, §4.4)",
                                hit.day)
    return None


def _confirmation(points: list[Timepoint], start: int, qualifies: frozenset, allowed_between: frozenset,
                  min_days: int) -> Optional[Timepoint]:
    """The first later time point that confirms ``points[start]``, if the ones in between allow it."""
    first = points[start]
    for later in points[start + 1:]:
        if later.overall in qualifies and later.day - first.day >= min_days:
            return later
        if later.overall not in allowed_between:
            return None
    return None


def _confirmed_cr(points: list[Timepoint], settings: RecistSettings) -> Optional[BestResponse]:
    for i, tp in enumerate(points):
        if tp.overall is O.CR:
            confirm = _confirmation(points, i, frozenset({O.CR}), frozenset({O.CR, O.NE}),
                                    settings.confirmation_min_days)
            if confirm:
                return BestResponse(O.CR, f"CR at day {tp.day} confirmed by CR at day {confirm.day}, "
                                          f"≥ {settings.confirmation_min_days} days later (Table 3: CR CR → CR)",
                                    tp.day, confirm.day)
    return None


def _confirmed_pr(points: list[Timepoint], settings: RecistSettings) -> Optional[BestResponse]:
    between = {O.CR, O.PR, O.NE} | (_STABLE if settings.confirmation_allows_intervening_sd else set())
    for i, tp in enumerate(points):
        if tp.overall in _RESPONSE:
            confirm = _confirmation(points, i, _RESPONSE, frozenset(between), settings.confirmation_min_days)
            if confirm:
                row = f"{tp.overall.value} {confirm.overall.value}"
                note = " (the CR was not confirmed: PR at both assessments, Table 3 footnote a and Q&A)" \
                    if tp.overall is O.CR else ""
                return BestResponse(O.PR, f"{tp.overall.value} at day {tp.day} and {confirm.overall.value} "
                                          f"at day {confirm.day}, ≥ {settings.confirmation_min_days} days later "
                                          f"(Table 3: {row} → PR){note}", tp.day, confirm.day)
    return None


def _stable_or_worse(points: list[Timepoint], considered: list[Timepoint], progressed: bool,
                     settings: RecistSettings, baseline_day: int) -> BestResponse:
    """No (confirmed) response: SD if its minimum duration was met, otherwise PD or NE (§4.4)."""
    stable = O.NON_CR_NON_PD if _non_target_only(points) else O.SD
    unconfirmed = [tp for tp in considered if tp.overall in _RESPONSE]
    prefix = (f"{unconfirmed[0].overall.value} at day {unconfirmed[0].day} not confirmed "
              f"(no CR/PR ≥ {settings.confirmation_min_days} days later); ") if unconfirmed else ""
    candidates = considered[:-1] if progressed else considered
    long_enough = next((tp for tp in candidates if tp.overall in _STABLE_OR_BETTER
                        and tp.day - baseline_day >= settings.min_sd_days), None)
    if long_enough:
        return BestResponse(stable, f"{prefix}{long_enough.overall.value} at day {long_enough.day}, "
                                    f"≥ {settings.min_sd_days} days after baseline (day {baseline_day}): "
                                    f"minimum duration for {stable.value} met (§4.4, Table 3)", long_enough.day)
    early = next((tp for tp in candidates if tp.overall in _STABLE_OR_BETTER), None)
    why = (f"{prefix}{early.overall.value} at day {early.day} is < {settings.min_sd_days} days after baseline "
           f"(day {baseline_day}): minimum duration for {stable.value} not met; ") if early else prefix
    if progressed:
        last = considered[-1]
        what = "PD" if last.overall is O.PD else (f"{last.overall.value} after a CR (disease seen again after CR is "
                                                  "progression, Table 3 footnote a)")
        return BestResponse(O.PD, f"{why}{what} at day {last.day} (§4.4)", last.day)
    if considered and all(tp.overall in (O.NED, O.NE) for tp in considered) and any(
            tp.overall is O.NED for tp in considered):
        return BestResponse(O.NED, "no evidence of disease at any evaluable time point (no disease at baseline)")
    if not considered:
        return BestResponse(O.NE, "no assessment after baseline (§4.4: inevaluable)")
    return BestResponse(O.NE, f"{why}no later assessment qualifies: not evaluable (§4.4)")


def _non_target_only(points: list[Timepoint]) -> bool:
    """Non-CR/non-PD only occurs with non-target-only disease (Table 2); PR/SD only with targets."""
    kinds = {tp.overall for tp in points}
    return O.NON_CR_NON_PD in kinds and not kinds & {O.PR, O.SD}


def best_record(data: Any, base: RecistSettings | None = None, prefix: str = "") -> dict[str, Any]:
    """``{"timepoints": [{"day", "overall"}], "baseline_day"?, "settings"?}`` → the best response as JSON."""
    from dartnk.clinical.recist.settings import annotations, prefixed, resolve_settings, split_record

    try:
        record = split_record(data, "", {"timepoints", "baseline_day", "settings"}, {"timepoints"})
        settings = resolve_settings(base, record.get("settings"))
        baseline_day = record.get("baseline_day", 0)
        if isinstance(baseline_day, bool) or not isinstance(baseline_day, int):
            raise InputError.field("baseline_day", baseline_day, "an integer study day")
        items = record["timepoints"]
        if not isinstance(items, list):
            raise InputError.field("timepoints", items, "a list of {day, overall}")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputError.field(f"timepoints[{i}]", item, 'an object {"day", "overall"}')
            split_record(item, f"timepoints[{i}]", {"day", "overall"}, {"day", "overall"})
        points = as_timepoints(items)
        for i, tp in enumerate(points):
            if tp.day <= baseline_day:
                raise InputError.field(f"timepoints[{i}].day", tp.day, f"a day after the baseline (day {baseline_day})")
        return {**annotations(record), **best_overall_response(points, settings, baseline_day).to_dict()}
    except InputError as exc:
        raise prefixed(exc, prefix) from None
