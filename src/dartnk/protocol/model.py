"""The whole protocol: every part, and the checks that span parts (references between ids)."""

from __future__ import annotations

from pydantic import Field

from dartnk.errors import Problem
from dartnk.protocol.antigens import Antigen, Construct
from dartnk.protocol.base import ProtocolModel
from dartnk.protocol.committee import CommitteeSettings
from dartnk.protocol.dlt import DltDefinition, Evaluability
from dartnk.protocol.dosing import DoseLevel, Infusions, Lymphodepletion, SecondCycle
from dartnk.protocol.eligibility import Eligibility
from dartnk.protocol.escalation import EscalationSettings
from dartnk.protocol.expansion import Expansion
from dartnk.protocol.follow_up import FollowUp
from dartnk.protocol.grading import CtcaeSettings
from dartnk.protocol.response import RecistSettings
from dartnk.protocol.selection import SelectionSettings, SelectionCriterion
from dartnk.protocol.trial_info import TrialInfo


class AssignmentPolicy(ProtocolModel):
    """How a patient qualifying for several arms with open slots is assigned, and the waitlist."""

    policy: str = Field(pattern=r"^(fewest_treated|longest_waiting|round_robin)$")
    max_wait_days: int = Field(ge=0, description="a waitlisted patient not assigned by then is lost to the trial")


class Protocol(ProtocolModel):
    """A validated trial protocol (the default is DART-NK-SCLC, NCT07480213)."""

    schema_version: int = Field(ge=1, le=1)
    trial: TrialInfo
    antigens: tuple[Antigen, ...] = Field(min_length=1)
    constructs: tuple[Construct, ...] = Field(min_length=1)
    dose_levels: tuple[DoseLevel, ...] = Field(min_length=1, description="lowest first")
    lymphodepletion: Lymphodepletion
    infusions: Infusions
    second_cycle: SecondCycle
    dlt: DltDefinition
    evaluability: Evaluability
    escalation: EscalationSettings
    assignment: AssignmentPolicy
    selection: SelectionSettings
    expansion: Expansion
    response: RecistSettings
    ctcae: CtcaeSettings = CtcaeSettings()   # optional section: older protocol files stay valid
    committee: CommitteeSettings = CommitteeSettings()   # optional section, as ctcae
    follow_up: FollowUp
    eligibility: Eligibility

    # -- lookups -------------------------------------------------------------------------------
    def level_index(self, level_id: str) -> int:
        """0-based index of a dose level id (lowest first)."""
        for i, level in enumerate(self.dose_levels):
            if level.id == level_id:
                return i
        raise KeyError(level_id)

    def construct(self, construct_id: str) -> Construct:
        for c in self.constructs:
            if c.id == construct_id:
                return c
        raise KeyError(construct_id)

    def antigen(self, antigen_id: str) -> Antigen:
        for a in self.antigens:
            if a.id == antigen_id:
                return a
        raise KeyError(antigen_id)

    # -- checks across parts ---------------------------------------------------------------------
    def cross_problems(self) -> list[Problem]:
        """Problems no single part can see: dangling ids, duplicates, order, caps."""
        out: list[Problem] = []
        out += _duplicates("antigens", [a.id for a in self.antigens])
        out += _duplicates("constructs", [c.id for c in self.constructs])
        out += _duplicates("dose_levels", [d.id for d in self.dose_levels])
        known = {a.id for a in self.antigens}
        for i, c in enumerate(self.constructs):
            for j, t in enumerate(c.targets):
                if t not in known:
                    out.append(Problem(f"constructs.{i}.targets.{j}", f"an antigen id ({', '.join(sorted(known))})", t))
        cells = [d.cells_per_infusion for d in self.dose_levels]
        for i in range(1, len(cells)):
            if cells[i] <= cells[i - 1]:
                out.append(Problem(f"dose_levels.{i}.cells_per_infusion",
                                   f"dose levels in increasing order (> {cells[i - 1]:g})", cells[i]))
        levels = [d.id for d in self.dose_levels]
        if self.escalation.start_level not in levels:
            out.append(Problem("escalation.start_level", f"a dose level id ({', '.join(levels)})", self.escalation.start_level))
        for i, sc in enumerate(self.escalation.oc_scenarios):
            if len(sc.dlt_probabilities) != len(levels):
                out.append(Problem(f"escalation.oc_scenarios.{i}.dlt_probabilities",
                                   f"one probability per dose level ({len(levels)}: {', '.join(levels)})",
                                   list(sc.dlt_probabilities)))
        if 0 not in self.infusions.days:
            out.append(Problem("infusions.days", "Day 0 among the infusion days", list(self.infusions.days)))
        if list(self.infusions.days) != sorted(set(self.infusions.days)):
            out.append(Problem("infusions.days", "distinct days in increasing order", list(self.infusions.days)))
        if self.evaluability.required_infusions > len(self.infusions.days):
            out.append(Problem("evaluability.required_infusions",
                               f"at most the {len(self.infusions.days)} planned infusions", self.evaluability.required_infusions))
        for i, agent in enumerate(self.lymphodepletion.agents):
            if max(agent.days) >= 0:
                out.append(Problem(f"lymphodepletion.agents.{i}.days", "days before Day 0 (negative)", list(agent.days)))
        if self.second_cycle.latest_day < self.second_cycle.earliest_day:
            out.append(Problem("second_cycle.latest_day", f"≥ earliest_day ({self.second_cycle.earliest_day})", self.second_cycle.latest_day))
        if self.expansion.size > self.trial.max_participants:
            out.append(Problem("expansion.size", f"≤ trial.max_participants ({self.trial.max_participants})", self.expansion.size))
        criteria = [w.criterion for w in self.selection.weights]
        out += _duplicates("selection.weights", [c.value for c in criteria])
        missing = set(SelectionCriterion) - set(criteria)
        if missing:
            out.append(Problem("selection.weights", "a weight for every criterion (missing: "
                               + ", ".join(sorted(m.value for m in missing)) + ")", has_value=False))
        ids = [c.id for c in self.eligibility.inclusion] + [c.id for c in self.eligibility.exclusion]
        out += _duplicates("eligibility", ids)
        fut = self.expansion.futility
        if fut.p1 <= fut.p0:
            out.append(Problem("expansion.futility.p1", f"> p0 ({fut.p0})", fut.p1))
        return out


def _duplicates(path: str, ids: list[str]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for i, x in enumerate(ids):
        if x in seen:
            out.append(Problem(f"{path}.{i}.id" if path != "selection.weights" else f"{path}.{i}.criterion",
                               "a unique id", x))
        seen.add(x)
    return out
