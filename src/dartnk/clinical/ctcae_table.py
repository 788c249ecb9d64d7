"""The NCI CTCAE v5.0 laboratory criteria as data: one row per criterion of a term's grade.

Source: National Cancer Institute, Common Terminology Criteria for Adverse Events (CTCAE)
Version 5.0, 27 November 2017. CTCAE writes a semicolon for "or": each alternative of a grade is
its own row, and a value's grade is the highest grade any applicable row reaches. Alternatives
that CTCAE conditions on the patient ("if baseline was abnormal", "if on anticoagulation") replace
the unconditioned ones for that patient: AST/ALT/ALP/GGT/bilirubin with an
abnormal baseline are graded against the baseline only (CTCAE conditions their × ULN rows on "if
baseline was normal"); fibrinogen's × LLN rows carry no condition and apply to everyone, its "if
abnormal" % decrease rows are added when the baseline is abnormal (the higher grade wins); INR on anticoagulation with a baseline INR is graded × baseline only. Those are the defaults;
the protocol's ``ctcae:`` settings (:mod:`dartnk.protocol.grading`) choose the alternatives. Bounds are in
the canonical unit of the term's quantity (see :mod:`dartnk.clinical.units`); ranges such as
"<1.0 - 0.5 x 10e9/L" become "< 1.0" rows, because the next grade's row takes over below 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from dartnk.clinical.units import Quantity


class Basis(str, Enum):
    """What a row's bound multiplies (or is)."""

    ABSOLUTE = "absolute"      # bound is a value in the canonical unit
    LLN = "lln"                # bound × lower limit of normal
    ULN = "uln"                # bound × upper limit of normal
    BASELINE = "baseline"      # bound × the patient's baseline value
    ULN_PLUS = "uln_plus"      # ULN + bound (canonical unit), e.g. Hgb ">2 g/dL above ULN"
    BASELINE_PLUS = "baseline_plus"  # baseline + bound (canonical unit), e.g. QTc ">60 ms change from baseline"
    ABNORMAL = "abnormal"      # no numeric bound: the value is abnormal (grade ≥ 1) and a clinical flag holds


class Op(str, Enum):
    LT = "<"
    LE = "≤"
    GT = ">"
    GE = "≥"


class When(str, Enum):
    """The condition under which a row applies (CTCAE's "if baseline was normal", "symptomatic", …)."""

    ALWAYS = "always"
    BASELINE_NORMAL = "baseline_normal"
    BASELINE_ABNORMAL = "baseline_abnormal"
    # Fibrinogen's "if abnormal" % decrease rows: baseline < LLN, or value < LLN, by the protocol's
    # ctcae.fibrinogen_percent_decrease
    IF_ABNORMAL = "if_abnormal"
    SYMPTOMATIC = "symptomatic"
    ASYMPTOMATIC = "asymptomatic"
    ON_ANTICOAGULATION = "on_anticoagulation"
    OFF_ANTICOAGULATION = "off_anticoagulation"  # not (on anticoagulation with a baseline INR)
    INTERVENTION = "intervention_indicated"
    HOSPITALIZATION = "hospitalization_indicated"
    TRANSFUSION = "transfusion_indicated"
    LIFE_THREATENING = "life_threatening"
    PHYSIOLOGIC_CONSEQUENCES = "physiologic_consequences"


#: the clinical flags a grading input may carry, with the wording used in reasons
FLAG_WORDING: dict[When, str] = {
    When.SYMPTOMATIC: "symptomatic",
    When.ON_ANTICOAGULATION: "on anticoagulation",
    When.INTERVENTION: "intervention indicated",
    When.HOSPITALIZATION: "hospitalization indicated",
    When.TRANSFUSION: "transfusion indicated",
    When.LIFE_THREATENING: "life-threatening consequences",
    When.PHYSIOLOGIC_CONSEQUENCES: "with physiologic consequences",
}


class Direction(str, Enum):
    LOW = "low"
    HIGH = "high"


@dataclass(frozen=True)
class Criterion:
    """One CTCAE alternative: ``value op bound·basis`` under ``when`` means at least ``grade``."""

    term: str
    grade: int
    basis: Basis
    op: Op
    bound: Fraction
    when: When = When.ALWAYS
    native: tuple[tuple[str, Fraction], ...] = ()   # CTCAE's own bound per unit (normalised), if it prints several


@dataclass(frozen=True)
class TermSpec:
    """A CTCAE term: what it measures, which way is abnormal, and the CTCAE text of each grade."""

    term: str
    quantity: Quantity
    direction: Direction
    grade_text: dict[int, str]
    note: str = ""
    native_units: tuple[str, ...] = ()   # units (normalised) in which CTCAE prints its absolute thresholds


A, LLN, ULN, BL, ULNP, AB = Basis.ABSOLUTE, Basis.LLN, Basis.ULN, Basis.BASELINE, Basis.ULN_PLUS, Basis.ABNORMAL
BLP = Basis.BASELINE_PLUS
LT, LE, GT, GE = Op.LT, Op.LE, Op.GT, Op.GE
W = When


def _row(term: str, g: int, b: Basis, op: Op, x, *rest) -> Criterion:
    """A row; ``x`` is a bound, or ``{unit: bound}`` with the canonical unit first (CTCAE's own per-unit bounds)."""
    if isinstance(x, dict):
        native = tuple((u, Fraction(str(v))) for u, v in x.items())
        return Criterion(term, g, b, op, native[0][1], *rest, native=native)
    return Criterion(term, g, b, op, Fraction(str(x)), *rest)


def _rows(term: str, *rows: tuple) -> tuple[Criterion, ...]:
    return tuple(_row(term, *r) for r in rows)


def _dual_low(term: str, g2: dict, g3: dict, g4: dict, g2_flag: When | None = None) -> tuple[Criterion, ...]:
    flag = [(2, AB, LT, 0, g2_flag)] if g2_flag else []
    return _rows(term, (1, LLN, LT, 1), (2, A, LT, g2), *flag, (3, A, LT, g3), (4, A, LT, g4),
                 (4, AB, LT, 0, W.LIFE_THREATENING))


def _count_low(term: str, g2: str, g3: str, g4: str) -> tuple[Criterion, ...]:
    return _rows(term, (1, LLN, LT, 1), (2, A, LT, g2), (3, A, LT, g3), (4, A, LT, g4))


def _hepatic(term: str, uln: tuple[str, str, str, str], base: tuple[str, str, str, str],
             g1_base_inclusive: bool) -> tuple[Criterion, ...]:
    normal = [(g, ULN, GT, uln[g - 1], W.BASELINE_NORMAL) for g in (1, 2, 3, 4)]
    abnormal = [(1, BL, GE if g1_base_inclusive else GT, base[0], W.BASELINE_ABNORMAL)]
    abnormal += [(g, BL, GT, base[g - 1], W.BASELINE_ABNORMAL) for g in (2, 3, 4)]
    return _rows(term, *normal, *abnormal)


def _electrolyte_high(term: str, g2: str, g3: str, g4: str) -> tuple[Criterion, ...]:
    return _rows(term, (1, ULN, GT, 1), (2, A, GT, g2), (2, AB, GT, 0, W.INTERVENTION), (3, A, GT, g3),
                 (3, AB, GT, 0, W.HOSPITALIZATION), (4, A, GT, g4), (4, AB, GT, 0, W.LIFE_THREATENING))


def _pancreatic(term: str) -> tuple[Criterion, ...]:
    return _rows(term, (1, ULN, GT, 1), (2, ULN, GT, "1.5"), (2, ULN, GT, 2, W.ASYMPTOMATIC),
                 (3, ULN, GT, 2, W.SYMPTOMATIC), (3, ULN, GT, 5, W.ASYMPTOMATIC), (4, ULN, GT, 5, W.SYMPTOMATIC))


_HEPATIC_TEXT_3X = {
    1: ">ULN - 3.0 x ULN if baseline was normal; 1.5 - 3.0 x baseline if baseline was abnormal",
    2: ">3.0 - 5.0 x ULN if baseline was normal; >3.0 - 5.0 x baseline if baseline was abnormal",
    3: ">5.0 - 20.0 x ULN if baseline was normal; >5.0 - 20.0 x baseline if baseline was abnormal",
    4: ">20.0 x ULN if baseline was normal; >20.0 x baseline if baseline was abnormal",
}
_HEPATIC_TEXT_25X = {
    1: ">ULN - 2.5 x ULN if baseline was normal; 2.0 - 2.5 x baseline if baseline was abnormal",
    2: ">2.5 - 5.0 x ULN if baseline was normal; >2.5 - 5.0 x baseline if baseline was abnormal",
    3: ">5.0 - 20.0 x ULN if baseline was normal; >5.0 - 20.0 x baseline if baseline was abnormal",
    4: ">20.0 x ULN if baseline was normal; >20.0 x baseline if baseline was abnormal",
}
_PANCREATIC_TEXT = {
    1: ">ULN - 1.5 x ULN",
    2: ">1.5 - 2.0 x ULN; >2.0 - 5.0 x ULN and asymptomatic",
    3: ">2.0 - 5.0 x ULN with signs or symptoms; >5.0 x ULN and asymptomatic",
    4: ">5.0 x ULN and with signs or symptoms",
}

Q, D = Quantity, Direction

TERMS: tuple[TermSpec, ...] = (
    TermSpec("Anemia", Q.HEMOGLOBIN, D.LOW, {
        1: "Hemoglobin (Hgb) <LLN - 10.0 g/dL; <LLN - 6.2 mmol/L; <LLN - 100 g/L",
        2: "Hgb <10.0 - 8.0 g/dL; <6.2 - 4.9 mmol/L; <100 - 80 g/L",
        3: "Hgb <8.0 g/dL; <4.9 mmol/L; <80 g/L; transfusion indicated",
        4: "Life-threatening consequences; urgent intervention indicated"}, native_units=("mmol/l",)),
    TermSpec("Neutrophil count decreased", Q.CELL_COUNT, D.LOW, {
        1: "<LLN - 1500/mm3; <LLN - 1.5 x 10e9/L", 2: "<1500 - 1000/mm3; <1.5 - 1.0 x 10e9/L",
        3: "<1000 - 500/mm3; <1.0 - 0.5 x 10e9/L", 4: "<500/mm3; <0.5 x 10e9/L"}),
    TermSpec("Platelet count decreased", Q.CELL_COUNT, D.LOW, {
        1: "<LLN - 75,000/mm3; <LLN - 75.0 x 10e9/L", 2: "<75,000 - 50,000/mm3; <75.0 - 50.0 x 10e9/L",
        3: "<50,000 - 25,000/mm3; <50.0 - 25.0 x 10e9/L", 4: "<25,000/mm3; <25.0 x 10e9/L"}),
    TermSpec("Lymphocyte count decreased", Q.CELL_COUNT, D.LOW, {
        1: "<LLN - 800/mm3; <LLN - 0.8 x 10e9/L", 2: "<800 - 500/mm3; <0.8 - 0.5 x 10e9/L",
        3: "<500 - 200/mm3; <0.5 - 0.2 x 10e9/L", 4: "<200/mm3; <0.2 x 10e9/L"}),
    TermSpec("White blood cell decreased", Q.CELL_COUNT, D.LOW, {
        1: "<LLN - 3000/mm3; <LLN - 3.0 x 10e9/L", 2: "<3000 - 2000/mm3; <3.0 - 2.0 x 10e9/L",
        3: "<2000 - 1000/mm3; <2.0 - 1.0 x 10e9/L", 4: "<1000/mm3; <1.0 x 10e9/L"}),
    TermSpec("Lymphocyte count increased", Q.CELL_COUNT, D.HIGH, {
        2: ">4000/mm3 - 20,000/mm3", 3: ">20,000/mm3"}),
    TermSpec("Leukocytosis", Q.CELL_COUNT, D.HIGH, {3: ">100,000/mm3"},
             note="grade 4 (clinical manifestations of leukostasis) is not gradable from a value"),
    TermSpec("Hemoglobin increased", Q.HEMOGLOBIN, D.HIGH, {
        1: "Increase in >0 - 2 g/dL above ULN", 2: "Increase in >2 - 4 g/dL above ULN",
        3: "Increase in >4 g/dL above ULN"}),
    TermSpec("Alanine aminotransferase increased", Q.ENZYME, D.HIGH, _HEPATIC_TEXT_3X),
    TermSpec("Aspartate aminotransferase increased", Q.ENZYME, D.HIGH, _HEPATIC_TEXT_3X),
    TermSpec("Alkaline phosphatase increased", Q.ENZYME, D.HIGH, _HEPATIC_TEXT_25X),
    TermSpec("GGT increased", Q.ENZYME, D.HIGH, _HEPATIC_TEXT_25X),
    TermSpec("Blood bilirubin increased", Q.BILIRUBIN, D.HIGH, {
        1: ">ULN - 1.5 x ULN if baseline was normal; >1.0 - 1.5 x baseline if baseline was abnormal",
        2: ">1.5 - 3.0 x ULN if baseline was normal; >1.5 - 3.0 x baseline if baseline was abnormal",
        3: ">3.0 - 10.0 x ULN if baseline was normal; >3.0 - 10.0 x baseline if baseline was abnormal",
        4: ">10.0 x ULN if baseline was normal; >10.0 x baseline if baseline was abnormal"}),
    TermSpec("Creatinine increased", Q.CREATININE, D.HIGH, {
        1: ">ULN - 1.5 x ULN", 2: ">1.5 - 3.0 x baseline; >1.5 - 3.0 x ULN",
        3: ">3.0 x baseline; >3.0 - 6.0 x ULN", 4: ">6.0 x ULN"}),
    TermSpec("CPK increased", Q.ENZYME, D.HIGH, {
        1: ">ULN - 2.5 x ULN", 2: ">2.5 x ULN - 5 x ULN", 3: ">5 x ULN - 10 x ULN", 4: ">10 x ULN"}),
    TermSpec("Lipase increased", Q.ENZYME, D.HIGH, _PANCREATIC_TEXT),
    TermSpec("Serum amylase increased", Q.ENZYME, D.HIGH, _PANCREATIC_TEXT),
    TermSpec("Activated partial thromboplastin time prolonged", Q.SECONDS, D.HIGH, {
        1: ">ULN - 1.5 x ULN", 2: ">1.5 - 2.5 x ULN", 3: ">2.5 x ULN; bleeding"}),
    TermSpec("INR increased", Q.RATIO, D.HIGH, {
        1: ">1.2 - 1.5; >1 - 1.5 x baseline if on anticoagulation; monitoring only indicated",
        2: ">1.5 - 2.5; >1.5 - 2.5 x baseline if on anticoagulation; dose adjustment indicated",
        3: ">2.5; >2.5 x baseline if on anticoagulation; bleeding"}),
    TermSpec("Fibrinogen decreased", Q.FIBRINOGEN, D.LOW, {
        1: "<1.0 - 0.75 x LLN; if abnormal, <25% decrease from baseline",
        2: "<0.75 - 0.5 x LLN; if abnormal, 25 - <50% decrease from baseline",
        3: "<0.5 - 0.25 x LLN; if abnormal, 50 - <75% decrease from baseline",
        4: "<0.25 x LLN; if abnormal, 75% decrease from baseline; absolute value <50 mg/dL"}),
    TermSpec("Hypokalemia", Q.ELECTROLYTE, D.LOW, {
        1: "<LLN - 3.0 mmol/L", 2: "Symptomatic with <LLN - 3.0 mmol/L; intervention indicated",
        3: "<3.0 - 2.5 mmol/L; hospitalization indicated", 4: "<2.5 mmol/L; life-threatening consequences"}),
    TermSpec("Hyperkalemia", Q.ELECTROLYTE, D.HIGH, {
        1: ">ULN - 5.5 mmol/L", 2: ">5.5 - 6.0 mmol/L; intervention initiated",
        3: ">6.0 - 7.0 mmol/L; hospitalization indicated", 4: ">7.0 mmol/L; life-threatening consequences"}),
    TermSpec("Hyponatremia", Q.ELECTROLYTE, D.LOW, {
        1: "<LLN - 130 mmol/L", 2: "125-129 mmol/L and asymptomatic",
        3: "125-129 mmol/L symptomatic; 120-124 mmol/L regardless of symptoms",
        4: "<120 mmol/L; life-threatening consequences"}),
    TermSpec("Hypernatremia", Q.ELECTROLYTE, D.HIGH, {
        1: ">ULN - 150 mmol/L", 2: ">150 - 155 mmol/L; intervention initiated",
        3: ">155 - 160 mmol/L; hospitalization indicated", 4: ">160 mmol/L; life-threatening consequences"}),
    TermSpec("Hypophosphatemia", Q.PHOSPHATE, D.LOW, {
        1: "Laboratory finding only and intervention not indicated",
        2: "Oral replacement therapy indicated",
        3: "Severe or medically significant but not immediately life-threatening; hospitalization or "
           "prolongation of existing hospitalization indicated",
        4: "Life-threatening consequences; urgent intervention indicated"},
             note="CTCAE v5.0 grades hypophosphatemia above grade 1 by clinical criteria only "
                  "(intervention_indicated, hospitalization_indicated, life_threatening)"),
    TermSpec("CD4 lymphocytes decreased", Q.CELL_COUNT, D.LOW, {
        1: "<LLN - 500/mm3; <LLN - 0.5 x 10e9/L", 2: "<500 - 200/mm3; <0.5 - 0.2 x 10e9/L",
        3: "<200 - 50/mm3; <0.2 - 0.05 x 10e9/L", 4: "<50/mm3; <0.05 x 10e9/L"}),
    TermSpec("Hypocalcemia", Q.CALCIUM, D.LOW, {
        1: "Corrected serum calcium of <LLN - 8.0 mg/dL; <LLN - 2.0 mmol/L",
        2: "Corrected serum calcium of <8.0 - 7.0 mg/dL; <2.0 - 1.75 mmol/L; symptomatic",
        3: "Corrected serum calcium of <7.0 - 6.0 mg/dL; <1.75 - 1.5 mmol/L; hospitalization indicated",
        4: "Corrected serum calcium of <6.0 mg/dL; <1.5 mmol/L; life-threatening consequences"},
             note="graded as corrected serum calcium (for ionized calcium use the term 'Hypocalcemia (ionized)')",
             native_units=("mg/dl", "mmol/l")),
    TermSpec("Hypocalcemia (ionized)", Q.CALCIUM, D.LOW, {
        1: "Ionized calcium <LLN - 1.0 mmol/L", 2: "Ionized calcium <1.0 - 0.9 mmol/L; symptomatic",
        3: "Ionized calcium <0.9 - 0.8 mmol/L; hospitalization indicated",
        4: "Ionized calcium <0.8 mmol/L; life-threatening consequences"},
             note="CTCAE v5.0 Hypocalcemia, ionized calcium alternatives", native_units=("mmol/l",)),
    TermSpec("Hypercalcemia", Q.CALCIUM, D.HIGH, {
        1: "Corrected serum calcium of >ULN - 11.5 mg/dL; >ULN - 2.9 mmol/L",
        2: "Corrected serum calcium of >11.5 - 12.5 mg/dL; >2.9 - 3.1 mmol/L; symptomatic",
        3: "Corrected serum calcium of >12.5 - 13.5 mg/dL; >3.1 - 3.4 mmol/L; hospitalization indicated",
        4: "Corrected serum calcium of >13.5 mg/dL; >3.4 mmol/L; life-threatening consequences"},
             note="graded as corrected serum calcium (for ionized calcium use the term 'Hypercalcemia (ionized)')",
             native_units=("mg/dl", "mmol/l")),
    TermSpec("Hypercalcemia (ionized)", Q.CALCIUM, D.HIGH, {
        1: "Ionized calcium >ULN - 1.5 mmol/L", 2: "Ionized calcium >1.5 - 1.6 mmol/L; symptomatic",
        3: "Ionized calcium >1.6 - 1.8 mmol/L; hospitalization indicated",
        4: "Ionized calcium >1.8 mmol/L; life-threatening consequences"},
             note="CTCAE v5.0 Hypercalcemia, ionized calcium alternatives", native_units=("mmol/l",)),
    TermSpec("Hypomagnesemia", Q.MAGNESIUM, D.LOW, {
        1: "<LLN - 1.2 mg/dL; <LLN - 0.5 mmol/L", 2: "<1.2 - 0.9 mg/dL; <0.5 - 0.4 mmol/L",
        3: "<0.9 - 0.7 mg/dL; <0.4 - 0.3 mmol/L", 4: "<0.7 mg/dL; <0.3 mmol/L; life-threatening consequences"},
             native_units=("mg/dl", "mmol/l")),
    TermSpec("Hypermagnesemia", Q.MAGNESIUM, D.HIGH, {
        1: ">ULN - 3.0 mg/dL; >ULN - 1.23 mmol/L", 3: ">3.0 - 8.0 mg/dL; >1.23 - 3.30 mmol/L",
        4: ">8.0 mg/dL; >3.30 mmol/L; life-threatening consequences"},
             native_units=("mg/dl", "mmol/l")),
    TermSpec("Hypoglycemia", Q.GLUCOSE, D.LOW, {
        1: "<LLN - 55 mg/dL; <LLN - 3.0 mmol/L", 2: "<55 - 40 mg/dL; <3.0 - 2.2 mmol/L",
        3: "<40 - 30 mg/dL; <2.2 - 1.7 mmol/L", 4: "<30 mg/dL; <1.7 mmol/L; life-threatening consequences; seizures"},
             native_units=("mg/dl", "mmol/l")),
    TermSpec("Cholesterol high", Q.CHOLESTEROL, D.HIGH, {
        1: ">ULN - 300 mg/dL; >ULN - 7.75 mmol/L", 2: ">300 - 400 mg/dL; >7.75 - 10.34 mmol/L",
        3: ">400 - 500 mg/dL; >10.34 - 12.92 mmol/L", 4: ">500 mg/dL; >12.92 mmol/L"},
             native_units=("mg/dl", "mmol/l")),
    TermSpec("Hypertriglyceridemia", Q.TRIGLYCERIDES, D.HIGH, {
        1: "150 mg/dL - 300 mg/dL; 1.71 mmol/L - 3.42 mmol/L", 2: ">300 mg/dL - 500 mg/dL; >3.42 mmol/L - 5.7 mmol/L",
        3: ">500 mg/dL - 1000 mg/dL; >5.7 mmol/L - 11.4 mmol/L",
        4: ">1000 mg/dL; >11.4 mmol/L; life-threatening consequences"},
             native_units=("mg/dl", "mmol/l")),
    TermSpec("Hyperuricemia", Q.URIC_ACID, D.HIGH, {
        1: ">ULN without physiologic consequences", 3: ">ULN with physiologic consequences",
        4: "Life-threatening consequences"}),
    TermSpec("Haptoglobin decreased", Q.HAPTOGLOBIN, D.LOW, {1: "<LLN"}),
    TermSpec("Electrocardiogram QT corrected interval prolonged", Q.MILLISECONDS, D.HIGH, {
        1: "Average QTc 450 - 480 ms", 2: "Average QTc 481 - 500 ms",
        3: "Average QTc >= 501 ms; >60 ms change from baseline",
        4: "Torsade de pointes; polymorphic ventricular tachycardia; signs/symptoms of serious arrhythmia"},
             note="grade 4 (torsade de pointes, serious arrhythmia) is reached through life_threatening"),
    TermSpec("Ejection fraction decreased", Q.PERCENT, D.LOW, {
        2: "Resting ejection fraction (EF) 50 - 40%; 10 - 19% drop from baseline",
        3: "Resting ejection fraction (EF) 39 - 20%; >=20% drop from baseline",
        4: "Resting ejection fraction (EF) <20%"},
             note="drops from baseline are percentage points of EF"),
    TermSpec("Hypoalbuminemia", Q.ALBUMIN, D.LOW, {
        1: "<LLN - 3 g/dL; <LLN - 30 g/L", 2: "<3 - 2 g/dL; <30 - 20 g/L", 3: "<2 g/dL; <20 g/L",
        4: "Life-threatening consequences; urgent intervention indicated"}),
)

CRITERIA: tuple[Criterion, ...] = (
    *_rows("Anemia", (1, LLN, LT, 1), (2, A, LT, {"g/l": 100, "mmol/l": "6.2"}), (3, A, LT, {"g/l": 80, "mmol/l": "4.9"}), (3, AB, LT, 0, W.TRANSFUSION),
           (4, AB, LT, 0, W.LIFE_THREATENING)),
    *_count_low("Neutrophil count decreased", "1.5", "1.0", "0.5"),
    *_count_low("Platelet count decreased", "75", "50", "25"),
    *_count_low("Lymphocyte count decreased", "0.8", "0.5", "0.2"),
    *_count_low("White blood cell decreased", "3.0", "2.0", "1.0"),
    *_rows("Lymphocyte count increased", (2, A, GT, 4), (3, A, GT, 20)),
    *_rows("Leukocytosis", (3, A, GT, 100)),
    *_rows("Hemoglobin increased", (1, ULNP, GT, 0), (2, ULNP, GT, 20), (3, ULNP, GT, 40)),
    *_hepatic("Alanine aminotransferase increased", ("1", "3", "5", "20"), ("1.5", "3", "5", "20"), True),
    *_hepatic("Aspartate aminotransferase increased", ("1", "3", "5", "20"), ("1.5", "3", "5", "20"), True),
    *_hepatic("Alkaline phosphatase increased", ("1", "2.5", "5", "20"), ("2", "2.5", "5", "20"), True),
    *_hepatic("GGT increased", ("1", "2.5", "5", "20"), ("2", "2.5", "5", "20"), True),
    *_hepatic("Blood bilirubin increased", ("1", "1.5", "3", "10"), ("1", "1.5", "3", "10"), False),
    *_rows("Creatinine increased", (1, ULN, GT, 1), (2, ULN, GT, "1.5"), (3, ULN, GT, 3), (4, ULN, GT, 6),
           (2, BL, GT, "1.5"), (3, BL, GT, 3)),
    *_rows("CPK increased", (1, ULN, GT, 1), (2, ULN, GT, "2.5"), (3, ULN, GT, 5), (4, ULN, GT, 10)),
    *_pancreatic("Lipase increased"),
    *_pancreatic("Serum amylase increased"),
    *_rows("Activated partial thromboplastin time prolonged", (1, ULN, GT, 1), (2, ULN, GT, "1.5"),
           (3, ULN, GT, "2.5")),
    *_rows("INR increased", (1, A, GT, "1.2", W.OFF_ANTICOAGULATION), (2, A, GT, "1.5", W.OFF_ANTICOAGULATION),
           (3, A, GT, "2.5", W.OFF_ANTICOAGULATION),
           (1, BL, GT, 1, W.ON_ANTICOAGULATION), (2, BL, GT, "1.5", W.ON_ANTICOAGULATION),
           (3, BL, GT, "2.5", W.ON_ANTICOAGULATION)),
    # the × LLN alternatives carry no condition in CTCAE v5.0, so they apply to every patient; the
    # "if abnormal" % decrease alternatives are added when the baseline is abnormal (< LLN), or the
    # value is, by the protocol's ctcae.fibrinogen_percent_decrease
    *_rows("Fibrinogen decreased", (1, LLN, LT, 1), (2, LLN, LT, "0.75"),
           (3, LLN, LT, "0.5"), (4, LLN, LT, "0.25"), (4, A, LT, "0.5"),
           (1, BL, LT, 1, W.IF_ABNORMAL), (2, BL, LE, "0.75", W.IF_ABNORMAL),
           (3, BL, LE, "0.5", W.IF_ABNORMAL), (4, BL, LE, "0.25", W.IF_ABNORMAL)),
    *_rows("Hypokalemia", (1, LLN, LT, 1), (2, LLN, LT, 1, W.SYMPTOMATIC), (2, AB, LT, 0, W.INTERVENTION),
           (3, A, LT, "3.0"), (3, AB, LT, 0, W.HOSPITALIZATION), (4, A, LT, "2.5"),
           (4, AB, LT, 0, W.LIFE_THREATENING)),
    *_electrolyte_high("Hyperkalemia", "5.5", "6.0", "7.0"),
    *_rows("Hyponatremia", (1, LLN, LT, 1), (2, A, LT, 130, W.ASYMPTOMATIC), (3, A, LT, 130, W.SYMPTOMATIC),
           (3, A, LT, 125), (4, A, LT, 120), (4, AB, LT, 0, W.LIFE_THREATENING)),
    *_electrolyte_high("Hypernatremia", "150", "155", "160"),
    *_rows("Hypophosphatemia", (1, LLN, LT, 1), (2, AB, LT, 0, W.INTERVENTION),
           (3, AB, LT, 0, W.HOSPITALIZATION), (4, AB, LT, 0, W.LIFE_THREATENING)),
    *_count_low("CD4 lymphocytes decreased", "0.5", "0.2", "0.05"),
    *_dual_low("Hypocalcemia", {"mmol/l": "2.0", "mg/dl": "8.0"}, {"mmol/l": "1.75", "mg/dl": "7.0"},
               {"mmol/l": "1.5", "mg/dl": "6.0"}, g2_flag=W.SYMPTOMATIC),
    *_rows("Hypocalcemia", (3, AB, LT, 0, W.HOSPITALIZATION)),
    *_rows("Hypercalcemia", (1, ULN, GT, 1), (2, A, GT, {"mmol/l": "2.9", "mg/dl": "11.5"}),
           (2, AB, GT, 0, W.SYMPTOMATIC), (3, A, GT, {"mmol/l": "3.1", "mg/dl": "12.5"}),
           (3, AB, GT, 0, W.HOSPITALIZATION), (4, A, GT, {"mmol/l": "3.4", "mg/dl": "13.5"}),
           (4, AB, GT, 0, W.LIFE_THREATENING)),
    *_dual_low("Hypocalcemia (ionized)", {"mmol/l": "1.0"}, {"mmol/l": "0.9"}, {"mmol/l": "0.8"},
               g2_flag=W.SYMPTOMATIC),
    *_rows("Hypocalcemia (ionized)", (3, AB, LT, 0, W.HOSPITALIZATION)),
    *_rows("Hypercalcemia (ionized)", (1, ULN, GT, 1), (2, A, GT, {"mmol/l": "1.5"}), (2, AB, GT, 0, W.SYMPTOMATIC),
           (3, A, GT, {"mmol/l": "1.6"}), (3, AB, GT, 0, W.HOSPITALIZATION), (4, A, GT, {"mmol/l": "1.8"}),
           (4, AB, GT, 0, W.LIFE_THREATENING)),
    *_dual_low("Hypomagnesemia", {"mmol/l": "0.5", "mg/dl": "1.2"}, {"mmol/l": "0.4", "mg/dl": "0.9"},
               {"mmol/l": "0.3", "mg/dl": "0.7"}),
    *_rows("Hypermagnesemia", (1, ULN, GT, 1), (3, A, GT, {"mmol/l": "1.23", "mg/dl": "3.0"}),
           (4, A, GT, {"mmol/l": "3.30", "mg/dl": "8.0"}), (4, AB, GT, 0, W.LIFE_THREATENING)),
    *_dual_low("Hypoglycemia", {"mmol/l": "3.0", "mg/dl": "55"}, {"mmol/l": "2.2", "mg/dl": "40"},
               {"mmol/l": "1.7", "mg/dl": "30"}),
    *_rows("Cholesterol high", (1, ULN, GT, 1), (2, A, GT, {"mmol/l": "7.75", "mg/dl": "300"}),
           (3, A, GT, {"mmol/l": "10.34", "mg/dl": "400"}), (4, A, GT, {"mmol/l": "12.92", "mg/dl": "500"})),
    *_rows("Hypertriglyceridemia", (1, A, GE, {"mmol/l": "1.71", "mg/dl": "150"}),
           (2, A, GT, {"mmol/l": "3.42", "mg/dl": "300"}), (3, A, GT, {"mmol/l": "5.7", "mg/dl": "500"}),
           (4, A, GT, {"mmol/l": "11.4", "mg/dl": "1000"}), (4, AB, GT, 0, W.LIFE_THREATENING)),
    # grade 3 is value-defined (">ULN with physiologic consequences"), so worst_case settings can assume it
    *_rows("Hyperuricemia", (1, ULN, GT, 1), (3, ULN, GT, 1, W.PHYSIOLOGIC_CONSEQUENCES),
           (4, AB, GT, 0, W.LIFE_THREATENING)),
    *_rows("Haptoglobin decreased", (1, LLN, LT, 1)),
    # whole-ms ranges 450-480 / 481-500 / >=501 read as >= 450, > 480, > 500 (no gaps between grades)
    *_rows("Electrocardiogram QT corrected interval prolonged", (1, A, GE, 450), (2, A, GT, 480), (3, A, GT, 500),
           (3, BLP, GT, 60), (4, AB, GT, 0, W.LIFE_THREATENING)),
    # "50 - 40%" / "39 - 20%" read as ≤ 50, < 40, < 20; a drop of 10-19 / >= 20 EF points from baseline
    *_rows("Ejection fraction decreased", (2, A, LE, 50), (3, A, LT, 40), (4, A, LT, 20),
           (2, BLP, LE, -10), (3, BLP, LE, -20)),
    *_rows("Hypoalbuminemia", (1, LLN, LT, 1), (2, A, LT, 30), (3, A, LT, 20), (4, AB, LT, 0, W.LIFE_THREATENING)),
)

TERM_BY_NAME: dict[str, TermSpec] = {t.term: t for t in TERMS}
CRITERIA_BY_TERM: dict[str, tuple[Criterion, ...]] = {
    t.term: tuple(c for c in CRITERIA if c.term == t.term) for t in TERMS}
