"""What every SDTM domain builder shares: identifiers, ISO 8601 dates, SDTM study days, epochs, arms.

Study day (SDTMIG 3.4 §4.4.4): ``--DY = date − RFSTDTC + 1`` on or after RFSTDTC, ``date − RFSTDTC``
before it (there is no day 0). RFSTDTC is the first CAR-NK infusion, the protocol's Day 0, so
SDTM day 1 = protocol Day 0 and the protocol's Day 7 infusion has EXSTDY 8.
"""

from __future__ import annotations

from datetime import date

from dartnk.analysis.report_data import PatientData, TrialData

ASCII = {"≥": ">=", "≤": "<=", "–": "-", "—": "-", "−": "-", "µ": "u", "×": "x", "’": "'", "‘": "'", "“": '"', "”": '"',
         "²": "2", "³": "3", "⁹": "9", "⁶": "6", "⁸": "8", "…": "..."}
XPT_MAX_CHARS = 200  # SAS XPT v5 character variables hold at most 200 bytes


def ascii_text(value: str) -> str:
    """Submission text: SAS XPT v5 is ASCII; typographic characters become their ASCII spelling."""
    out = "".join(ASCII.get(ch, ch) for ch in value)
    out = out.encode("ascii", "replace").decode("ascii")
    return out[:XPT_MAX_CHARS]


def dtc(d: date | None) -> str:
    return d.isoformat() if d else ""


def sdtm_day(d: date | None, rfstdtc: date | None) -> float:
    """SDTM --DY of ``d`` relative to RFSTDTC (NaN when either is unknown)."""
    if d is None or rfstdtc is None:
        return float("nan")
    delta = (d - rfstdtc).days
    return float(delta + 1 if delta >= 0 else delta)


class Context:
    """Identifiers and per-subject reference dates for one export."""

    def __init__(self, data: TrialData):
        self.data = data
        self.studyid = data.protocol.trial.id
        self.patients = {p.subject_id: p for p in data.patients}

    def usubjid(self, subject_id: str) -> str:
        return f"{self.studyid}-{subject_id}"

    def ref(self, subject_id: str) -> date | None:
        p = self.patients.get(subject_id)
        return p.day0 if p else None

    def dy(self, subject_id: str, d: date | None) -> float:
        return sdtm_day(d, self.ref(subject_id))

    def epoch(self, subject_id: str, d: date | None) -> str:
        """SCREENING before the first study treatment, TREATMENT through the DLT window, then FOLLOW-UP."""
        p = self.patients.get(subject_id)
        if p is None or d is None:
            return ""
        first = first_treatment(self.data, subject_id)
        if first is None or d < first:
            return "SCREENING"
        if p.day0 is None or (d - p.day0).days < self.data.protocol.dlt.window_days:
            return "TREATMENT"
        return "FOLLOW-UP"


def first_treatment(data: TrialData, subject_id: str) -> date | None:
    dates = [e.given_on for e in data.exposures if e.subject_id == subject_id]
    return min(dates) if dates else None


def last_treatment(data: TrialData, subject_id: str) -> date | None:
    dates = [e.given_on for e in data.exposures if e.subject_id == subject_id]
    return max(dates) if dates else None


def level_code(level_id: str) -> str:
    """A dose level id as letters/digits only (DL-1 → DLM1), for ARMCD and ETCD."""
    return level_id.replace("-", "M").replace("+", "P").replace(" ", "")


def armcd(data: TrialData, construct: str, level: str) -> str:
    """Planned arm code (≤ 20 characters): construct without punctuation, underscore, level."""
    return f"{''.join(ch for ch in construct if ch.isalnum())}_{level_code(level)}"[:20]


def arm_label(data: TrialData, construct: str, level: str) -> str:
    c = data.protocol.construct(construct)
    cells = data.protocol.dose_levels[data.protocol.level_index(level)].cells_per_infusion
    return f"{'/'.join(c.targets)} CAR-NK {c.product} {level} {cells:.1E} cells x {len(data.protocol.infusions.days)}"


def patient_arm(data: TrialData, p: PatientData) -> tuple[str, str]:
    if p.arm and p.dose_level:
        return armcd(data, p.arm, p.dose_level), arm_label(data, p.arm, p.dose_level)
    return "", ""
