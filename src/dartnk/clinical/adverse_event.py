"""The adverse event record: term, grade (given, or graded here from CRS/ICANS/lab inputs), study
days of onset and resolution, attribution and seriousness; and the CTCAE term → DLT category map.

Time is a study day (Day 0 = first CAR-NK infusion). ``resolution_day`` is the first day on which
the event was no longer at its recorded grade (resolved, or improved to a lower grade); an event
without one is ongoing. CRS and ICANS are graded by ASTCT 2019 (Lee et al. 2019), everything else
by CTCAE v5.0.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dartnk.clinical.crs import CrsAssessment, grade_crs
from dartnk.clinical.ctcae import Grading, LabMeasurement, grade_ctcae, term_spec
from dartnk.clinical.icans import IcansAssessment, grade_icans
from dartnk.errors import DartnkError
from dartnk.protocol.dlt import AeCategory, Attribution
from dartnk.protocol.grading import CtcaeSettings

CRS_TERM = "Cytokine release syndrome"
ICANS_TERM = "Immune effector cell-associated neurotoxicity syndrome"

#: CTCAE v5.0 terms (and the ASTCT ICANS term) with the DLT category they fall in. Terms not listed
#: are other_non_hematologic, except infections (below). Hematologic means blood counts and
#: haemoglobin; coagulation tests (INR, aPTT, fibrinogen) are non-hematologic here.
TERM_CATEGORY: dict[str, AeCategory] = {
    CRS_TERM: AeCategory.CRS,
    ICANS_TERM: AeCategory.ICANS,
    "ICANS": AeCategory.ICANS,
    "Neutrophil count decreased": AeCategory.NEUTROPENIA,
    "Platelet count decreased": AeCategory.THROMBOCYTOPENIA,
    "Anemia": AeCategory.ANEMIA,
    "Febrile neutropenia": AeCategory.FEBRILE_NEUTROPENIA,
    "Infusion related reaction": AeCategory.INFUSION_REACTION,
    "Graft versus host disease": AeCategory.GVHD,
    "Lymphocyte count decreased": AeCategory.OTHER_HEMATOLOGIC,
    "White blood cell decreased": AeCategory.OTHER_HEMATOLOGIC,
    "Lymphocyte count increased": AeCategory.OTHER_HEMATOLOGIC,
    "Leukocytosis": AeCategory.OTHER_HEMATOLOGIC,
    "Hemoglobin increased": AeCategory.OTHER_HEMATOLOGIC,
    "CD4 lymphocytes decreased": AeCategory.OTHER_HEMATOLOGIC,
    "Eosinophilia": AeCategory.OTHER_HEMATOLOGIC,
    "Bone marrow hypocellular": AeCategory.OTHER_HEMATOLOGIC,
}

#: CTCAE v5.0 "Infections and infestations" terms whose name does not contain "infection"/"infective".
INFECTION_TERMS = frozenset(t.casefold() for t in (
    "Sepsis", "Bacteremia", "Fungemia", "Viremia", "Meningitis", "Hepatitis viral", "Hepatitis B reactivation",
    "Herpes simplex reactivation", "Shingles", "Thrush", "Encephalomyelitis infection", "Lymph gland infection",
    "Infections and infestations - Other, specify", "Cytomegalovirus infection reactivation",
    "Epstein-Barr virus infection reactivation", "Appendicitis perforated", "Otitis media", "Otitis externa",
    "Sinusitis", "Pharyngitis", "Laryngitis", "Conjunctivitis infective", "Endocarditis infective",
    "Myelitis", "Progressive multifocal leukoencephalopathy"))

_CATEGORY_BY_FOLDED = {k.casefold(): v for k, v in TERM_CATEGORY.items()}


def category_of_term(term: str) -> AeCategory:
    """The DLT category of a CTCAE term (case-insensitive)."""
    folded = " ".join(term.split()).casefold()
    if folded in _CATEGORY_BY_FOLDED:
        return _CATEGORY_BY_FOLDED[folded]
    if "infection" in folded or "infective" in folded or folded in INFECTION_TERMS:
        return AeCategory.INFECTION
    return AeCategory.OTHER_NON_HEMATOLOGIC


class LabResult(LabMeasurement):
    """A lab value to grade by CTCAE v5.0 under the event's term."""


class AdverseEvent(BaseModel):
    """One adverse event of one patient.

    Give exactly one of ``grade`` (CTCAE v5.0 / ASTCT 2019, 1–5), ``crs`` (ASTCT CRS inputs),
    ``icans`` (ASTCT ICANS inputs) or ``lab`` (a value graded by CTCAE v5.0 under ``term``).
    ``category`` overrides the category derived from ``term``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=1, description="CTCAE v5.0 term (or the ASTCT ICANS term)")
    grade: Optional[int] = Field(default=None, ge=1, le=5)
    crs: Optional[CrsAssessment] = None
    icans: Optional[IcansAssessment] = None
    lab: Optional[LabResult] = None
    category: Optional[AeCategory] = None
    onset_day: int = Field(description="study day of onset (Day 0 = first CAR-NK infusion)")
    resolution_day: Optional[int] = Field(default=None, description="first study day no longer at this grade")
    attribution: Attribution
    serious: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "AdverseEvent":
        given = [name for name in ("grade", "crs", "icans", "lab") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of grade, crs, icans, lab (got {', '.join(given) or 'none'})")
        if self.resolution_day is not None and self.resolution_day < self.onset_day:
            raise ValueError(f"resolution_day {self.resolution_day} is before onset_day {self.onset_day}")
        derived = category_of_term(self.term)
        if self.crs is not None and derived is not AeCategory.CRS:
            raise ValueError(f"crs inputs need term {CRS_TERM!r}, not {self.term!r}")
        if self.icans is not None and derived is not AeCategory.ICANS:
            raise ValueError(f"icans inputs need term {ICANS_TERM!r}, not {self.term!r}")
        if self.lab is not None:
            try:
                term_spec(self.term, "term")
            except DartnkError as exc:
                raise ValueError(f"lab inputs need a gradable CTCAE term ({exc.problems[0].expected})") from None
        return self

    @property
    def ae_category(self) -> AeCategory:
        return self.category or category_of_term(self.term)

    def grading(self, settings: CtcaeSettings | None = None) -> Grading:
        """The event's grade with its reason (graded here when CRS/ICANS/lab inputs are given).

        ``settings`` are the protocol's ``ctcae:`` choices for lab inputs (None: the defaults).
        """
        if self.crs is not None:
            return grade_crs(self.crs)
        if self.icans is not None:
            g = grade_icans(self.icans)
            return Grading(grade=g.grade, reason=g.reason)
        if self.lab is not None:
            return grade_ctcae(self.term, **self.lab.model_dump(), settings=settings)
        return Grading(grade=self.grade, reason=f"{self.term} grade {self.grade} (as reported)")

    @property
    def effective_grade(self) -> int:
        return self.grading().grade
