"""Scenarios: the truth the simulated trial does not know, as validated YAML.

A scenario gives, per construct and dose level, the true DLT and objective-response
probabilities; per construct the CRS/ICANS grade distributions, manufacturing success and time,
persistence and PFS/OS; the antigen prevalences in the screened population and their dependence;
accrual, screen failures, dropout and non-evaluability; and the scenario's own definition of the
best construct. Errors name the field path (``constructs.DLL3-GD2.dlt.DL2: …``).

Antigen co-expression is a Gaussian copula: latent standard normals with a stated correlation,
thresholded so that each antigen's marginal prevalence is exact. The dependence is an explicit
assumption (no published joint distribution of DLL3, CD56 and GD2 in SCLC exists).
"""

from __future__ import annotations

from importlib import resources
from typing import Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dartnk.errors import InputError, Problem, problems_from_pydantic


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Probability = float


class AntigenModel(_Model):
    prevalence: dict[str, float] = Field(description="marginal P(positive) per antigen id in screened patients")
    correlation: float = Field(default=0.0, ge=-0.49, le=0.99,
                               description="correlation of the latent normals, every pair (Gaussian copula)")
    pair_correlation: dict[str, float] = Field(default_factory=dict,
                                               description="overrides for pairs, key 'A~B' (e.g. 'DLL3~GD2')")

    @model_validator(mode="after")
    def _ranges(self) -> "AntigenModel":
        for k, v in self.prevalence.items():
            if not 0 <= v <= 1:
                raise ValueError(f"prevalence of {k} must lie in [0, 1], got {v}")
        for k, v in self.pair_correlation.items():
            if "~" not in k or not -0.99 <= v <= 0.99:
                raise ValueError(f"pair_correlation {k!r}: expected 'A~B' with a value in [-0.99, 0.99], got {v}")
        return self


class Accrual(_Model):
    patients_per_month: float = Field(gt=0, description="arrivals to screening (Poisson process), per month")
    screening_days: int = Field(default=14, ge=0, description="days from arrival to the screening result")
    screen_failure: float = Field(default=0.25, ge=0, le=1, description="P(ineligible at screening)")
    dropout_before_dosing: float = Field(default=0.05, ge=0, le=1, description="P(withdraws between assignment and Day 0)")


class Construct(_Model):
    dlt: dict[str, float] = Field(description="true P(DLT) per dose-level id")
    response: dict[str, float] = Field(description="true P(objective response, confirmed CR/PR) per dose-level id")
    crs_grade: tuple[float, ...] = Field(default=(0.55, 0.30, 0.12, 0.025, 0.005), min_length=5, max_length=5,
                                         description="P(worst CRS grade 0..4), ASTCT 2019")
    icans_grade: tuple[float, ...] = Field(default=(0.90, 0.06, 0.03, 0.008, 0.002), min_length=5, max_length=5,
                                           description="P(worst ICANS grade 0..4), ASTCT 2019")
    manufacturing_success: float = Field(default=0.95, ge=0, le=1, description="P(lot released) per patient")
    manufacturing_days: tuple[int, int] = Field(default=(5, 10), description="uniform range, assignment → release (days)")
    persistence_detected: float = Field(default=0.6, ge=0, le=1, description="P(transgene detectable at the persistence day)")
    persistence_log10_copies: tuple[float, float] = Field(default=(3.0, 0.7),
                                                         description="(mean, sd) of log10 copies/µg DNA when detected")
    pfs_median_months: float = Field(default=3.0, gt=0)
    os_median_months: float = Field(default=8.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> "Construct":
        for name in ("dlt", "response"):
            for k, v in getattr(self, name).items():
                if not 0 <= v <= 1:
                    raise ValueError(f"{name}.{k} must lie in [0, 1], got {v}")
        for name in ("crs_grade", "icans_grade"):
            probs = getattr(self, name)
            if any(p < 0 for p in probs) or abs(sum(probs) - 1) > 1e-6:
                raise ValueError(f"{name} must be 5 non-negative probabilities summing to 1, got {list(probs)}")
        lo, hi = self.manufacturing_days
        if not 0 <= lo <= hi:
            raise ValueError(f"manufacturing_days must be [low, high] with 0 ≤ low ≤ high, got {[lo, hi]}")
        return self


class Scenario(_Model):
    """One scenario. ``best_construct`` is the scenario's own definition of the right choice
    (``null`` when no construct deserves an expansion); ``best_definition`` says why."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    description: str = ""
    best_construct: Optional[str]
    best_definition: str
    antigens: AntigenModel
    accrual: Accrual
    constructs: dict[str, Construct]
    not_evaluable: float = Field(default=0.05, ge=0, le=1,
                                 description="P(a dosed patient misses infusions without a DLT: not DLT-evaluable)")
    committee_days: int = Field(default=7, ge=0, description="days from a proposal to the committee's sign-off")
    max_trial_days: int = Field(default=3650, ge=30, description="a simulated trial still open then is cut off")

    def check_against(self, protocol) -> None:
        """Every construct, level and antigen of the protocol is specified, and nothing else."""
        problems: list[Problem] = []
        levels = [d.id for d in protocol.dose_levels]
        want = [c.id for c in protocol.constructs]
        for c in want:
            if c not in self.constructs:
                problems.append(Problem(f"constructs.{c}", "required field is missing (a protocol construct)", has_value=False))
        for c, spec in self.constructs.items():
            if c not in want:
                problems.append(Problem(f"constructs.{c}", f"a protocol construct ({', '.join(want)})", c))
                continue
            for name in ("dlt", "response"):
                got = getattr(spec, name)
                for lv in levels:
                    if lv not in got:
                        problems.append(Problem(f"constructs.{c}.{name}.{lv}", "required field is missing (a protocol dose level)",
                                                has_value=False))
                for lv in got:
                    if lv not in levels:
                        problems.append(Problem(f"constructs.{c}.{name}.{lv}", f"a dose level id ({', '.join(levels)})", lv))
        antigens = [a.id for a in protocol.antigens]
        for a in antigens:
            if a not in self.antigens.prevalence:
                problems.append(Problem(f"antigens.prevalence.{a}", "required field is missing (a protocol antigen)",
                                        has_value=False))
        for a in self.antigens.prevalence:
            if a not in antigens:
                problems.append(Problem(f"antigens.prevalence.{a}", f"an antigen id ({', '.join(antigens)})", a))
        for k in self.antigens.pair_correlation:
            parts = k.split("~")
            if len(parts) != 2 or any(x not in antigens for x in parts) or parts[0] == parts[1]:
                problems.append(Problem(f"antigens.pair_correlation.{k}", "two different antigen ids joined by '~'", k))
        if self.best_construct is not None and self.best_construct not in want:
            problems.append(Problem("best_construct", f"a construct id ({', '.join(want)}) or null", self.best_construct))
        if not problems:
            try:
                correlation_matrix(self, antigens)
            except ValueError as exc:
                problems.append(Problem("antigens", str(exc), has_value=False))
        if problems:
            raise InputError(problems)


def correlation_matrix(scenario: Scenario, antigen_ids: list[str]):
    """The latent normals' correlation matrix (antigen order of the protocol); must be positive definite."""
    import numpy as np

    k = len(antigen_ids)
    r = np.full((k, k), scenario.antigens.correlation)
    np.fill_diagonal(r, 1.0)
    for key, v in scenario.antigens.pair_correlation.items():
        a, b = key.split("~")
        i, j = antigen_ids.index(a), antigen_ids.index(b)
        r[i, j] = r[j, i] = v
    if np.linalg.eigvalsh(r).min() <= 1e-9:
        raise ValueError("a positive definite correlation matrix (the correlations given are inconsistent)")
    return r


def parse_scenario(text: str, protocol, source: str = "scenario") -> Scenario:
    """Validate scenario YAML against the model and the protocol; errors name ``source`` and the field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(Problem(source, f"valid YAML ({getattr(exc, 'problem', exc)}{where})", has_value=False)) from None
    if not isinstance(data, dict):
        raise InputError.field(source, type(data).__name__, "a YAML mapping (a scenario)")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_pydantic(exc)) from None
    scenario.check_against(protocol)
    return scenario


SHIPPED_ORDER = ("default", "all-safe", "one-toxic", "steep-dose-toxicity", "gd2-rare", "slow-accrual",
                 "manufacturing-failures", "nothing-works")


def shipped_names() -> list[str]:
    """Names of the scenarios shipped as package data (``dartnk/sim/scenarios/*.yaml``), default first."""
    files = resources.files("dartnk.sim").joinpath("scenarios")
    names = sorted(p.name[:-5] for p in files.iterdir() if p.name.endswith(".yaml"))
    return [n for n in SHIPPED_ORDER if n in names] + [n for n in names if n not in SHIPPED_ORDER]


def shipped_scenario(name: str, protocol) -> Scenario:
    names = shipped_names()
    if name not in names:
        raise InputError.field("--scenario", name, f"a shipped scenario ({', '.join(names)}) or a YAML file")
    text = resources.files("dartnk.sim").joinpath("scenarios", f"{name}.yaml").read_text(encoding="utf-8")
    return parse_scenario(text, protocol, f"scenario {name}")
