"""ASTCT 2019 consensus grading of ICANS in adults, with the ICE score.

Source: Lee DW, Santomasso BD, Locke FL, et al. Biol Blood Marrow Transplant 2019;25:625–638,
Table 3 (the Immune Effector Cell-associated Encephalopathy (ICE) score) and Table 5 (ICANS
grading for adults). The grade is the most severe of five domains, each not attributable to any
other cause:

* ICE score 7–9 → 1, 3–6 → 2, 0–2 → 3, 0 because the patient is unarousable and unable to
  undergo ICE → 4 (an awake patient with global aphasia scoring 0 is grade 3);
* depressed level of consciousness: awakens spontaneously → 1, awakens to voice → 2, awakens
  only to tactile stimulus → 3, unarousable / vigorous or repetitive stimuli / stupor / coma → 4;
* seizure: any clinical seizure that resolves rapidly, or non-convulsive seizures on EEG that
  resolve with intervention → 3; life-threatening prolonged seizure (> 5 min) or repetitive
  seizures without return to baseline in between → 4;
* motor findings: deep focal motor weakness (hemiparesis, paraparesis) → 4 (tremor and myoclonus
  are graded by CTCAE and do not count);
* elevated ICP / cerebral edema: focal/local edema on neuroimaging → 3; diffuse cerebral edema,
  decerebrate or decorticate posturing, cranial nerve VI palsy, papilledema or Cushing's triad → 4.
"""

from __future__ import annotations

from enum import Enum
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

SOURCE = "ASTCT 2019 adult ICANS (Lee et al., Tables 3 and 5)"


class Consciousness(str, Enum):
    ALERT = "alert"
    AWAKENS_SPONTANEOUSLY = "awakens_spontaneously"
    AWAKENS_TO_VOICE = "awakens_to_voice"
    AWAKENS_TO_TACTILE = "awakens_to_tactile"
    UNAROUSABLE = "unarousable"


class Seizure(str, Enum):
    NONE = "none"
    RAPIDLY_RESOLVING = "rapidly_resolving"
    EEG_RESOLVING_WITH_INTERVENTION = "eeg_resolving_with_intervention"
    LIFE_THREATENING = "life_threatening"
    PROLONGED = "prolonged"
    REPETITIVE = "repetitive"


class Motor(str, Enum):
    NONE = "none"
    DEEP_FOCAL_WEAKNESS = "deep_focal_weakness"


class RaisedIcp(str, Enum):
    NONE = "none"
    FOCAL_EDEMA = "focal_edema"
    DIFFUSE_EDEMA = "diffuse_edema"
    POSTURING = "posturing"
    CRANIAL_NERVE_VI_PALSY = "cranial_nerve_vi_palsy"
    PAPILLEDEMA = "papilledema"
    CUSHINGS_TRIAD = "cushings_triad"


#: Lee 2019 Table 5, depressed level of consciousness.
CONSCIOUSNESS_GRADE = {Consciousness.ALERT: 0, Consciousness.AWAKENS_SPONTANEOUSLY: 1,
                       Consciousness.AWAKENS_TO_VOICE: 2, Consciousness.AWAKENS_TO_TACTILE: 3,
                       Consciousness.UNAROUSABLE: 4}
#: Lee 2019 Table 5, seizure.
SEIZURE_GRADE = {Seizure.NONE: 0, Seizure.RAPIDLY_RESOLVING: 3, Seizure.EEG_RESOLVING_WITH_INTERVENTION: 3,
                 Seizure.LIFE_THREATENING: 4, Seizure.PROLONGED: 4, Seizure.REPETITIVE: 4}
#: Lee 2019 Table 5, motor findings.
MOTOR_GRADE = {Motor.NONE: 0, Motor.DEEP_FOCAL_WEAKNESS: 4}
#: Lee 2019 Table 5, elevated ICP / cerebral edema.
RAISED_ICP_GRADE = {RaisedIcp.NONE: 0, RaisedIcp.FOCAL_EDEMA: 3, RaisedIcp.DIFFUSE_EDEMA: 4,
                    RaisedIcp.POSTURING: 4, RaisedIcp.CRANIAL_NERVE_VI_PALSY: 4, RaisedIcp.PAPILLEDEMA: 4,
                    RaisedIcp.CUSHINGS_TRIAD: 4}
#: Lee 2019 Table 5, ICE score: (lowest score, highest score, grade) for an arousable patient.
ICE_BANDS = ((10, 10, 0), (7, 9, 1), (3, 6, 2), (0, 2, 3))
ICE_MAX = 10


class IceItems(BaseModel):
    """The ten points of the ICE score (Lee 2019, Table 3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    oriented_year: bool
    oriented_month: bool
    oriented_city: bool
    oriented_hospital: bool
    objects_named: int = Field(ge=0, le=3, description="naming three objects (e.g. clock, pen, button)")
    follows_commands: bool
    writes_sentence: bool
    counts_back_by_10: bool = Field(description="attention: counts backwards from 100 by 10")

    def score(self) -> int:
        """Orientation 4 + naming 3 + following commands 1 + writing 1 + attention 1 = 0..10."""
        return (sum((self.oriented_year, self.oriented_month, self.oriented_city, self.oriented_hospital))
                + self.objects_named + self.follows_commands + self.writes_sentence + self.counts_back_by_10)


class IcansAssessment(BaseModel):
    """One ICANS assessment (the JSON record of ``dartnk grade icans``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ice_score: Optional[int] = Field(default=None, ge=0, le=ICE_MAX)
    ice_items: Optional[IceItems] = None
    consciousness: Consciousness = Consciousness.ALERT
    seizure: Seizure = Seizure.NONE
    motor: Motor = Motor.NONE
    raised_icp: RaisedIcp = RaisedIcp.NONE
    global_aphasia: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "IcansAssessment":
        if self.ice_score is not None and self.ice_items is not None and self.ice_items.score() != self.ice_score:
            raise ValueError(f"ice_score {self.ice_score} disagrees with ice_items, which add up to "
                             f"{self.ice_items.score()}")
        score = self.ice_score if self.ice_score is not None else (
            self.ice_items.score() if self.ice_items is not None else None)
        if score and self.consciousness is Consciousness.UNAROUSABLE:
            raise ValueError(f"an unarousable patient cannot undergo ICE: ice_score must be 0 or omitted, "
                             f"not {score}")
        return self


class IcansGrading(BaseModel):
    model_config = ConfigDict(frozen=True)

    ice_score: Optional[int] = Field(ge=0, le=ICE_MAX, description="None when ICE was not assessed")
    grade: int = Field(ge=0, le=4)
    reason: str


def ice_score(a: IcansAssessment) -> tuple[Optional[int], str]:
    """The ICE score and where it came from (given, summed from items, 0 because untestable, or None)."""
    if a.ice_score is not None:
        return a.ice_score, f"ICE score {a.ice_score}"
    if a.ice_items is not None:
        return a.ice_items.score(), f"ICE score {a.ice_items.score()} (from items)"
    if a.consciousness is Consciousness.UNAROUSABLE:
        return 0, "ICE score 0 (unarousable, unable to undergo ICE)"
    if a.global_aphasia:
        return 0, "ICE score 0 (global aphasia)"
    return None, "ICE not assessed"


def ice_grade(score: Optional[int], consciousness: Consciousness) -> int:
    """The ICE domain's grade: 0 in an unarousable patient is grade 4, otherwise by band (None: 0)."""
    if score is None:
        return 0
    if score == 0 and consciousness is Consciousness.UNAROUSABLE:
        return 4
    return next(g for lo, hi, g in ICE_BANDS if lo <= score <= hi)


def grade_icans(assessment: IcansAssessment) -> IcansGrading:
    """Grade ICANS in an adult by ASTCT 2019 (Lee et al. 2019, Table 5): the most severe domain."""
    a = assessment
    score, score_words = ice_score(a)
    domains = [
        ("ICE score", ice_grade(score, a.consciousness), score_words),
        ("depressed level of consciousness", CONSCIOUSNESS_GRADE[a.consciousness],
         a.consciousness.value.replace("_", " ")),
        ("seizure", SEIZURE_GRADE[a.seizure], a.seizure.value.replace("_", " ")),
        ("motor findings", MOTOR_GRADE[a.motor], a.motor.value.replace("_", " ")),
        ("elevated ICP/cerebral edema", RAISED_ICP_GRADE[a.raised_icp], a.raised_icp.value.replace("_", " ")),
    ]
    grade = max(g for _, g, _ in domains)
    if grade == 0:
        return IcansGrading(ice_score=score, grade=0,
                            reason=f"no ICANS: {score_words}{'' if score is not None else ' (graded on the other domains)'}, alert, no seizure, motor finding or cerebral edema ({SOURCE})")
    deciding = [f"{name}: {words}" for name, g, words in domains if g == grade]
    others = [f"{name}: {words} (grade {g})" for name, g, words in domains if 0 < g < grade]
    aphasia = "; awake with global aphasia (ICE 0 is grade 3 when awake)" if a.global_aphasia and score == 0 \
        and a.consciousness is not Consciousness.UNAROUSABLE else ""
    reason = f"ICANS grade {grade}: most severe domain " + "; ".join(deciding)
    if others:
        reason += "; also " + "; ".join(others)
    if score is None:
        reason += "; ICE not assessed: graded on the other domains"
    return IcansGrading(ice_score=score, grade=grade, reason=reason + aphasia + f" ({SOURCE})")
