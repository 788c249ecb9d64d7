"""Form fields of the screening and antigen records, and turning posted fields back into records.

The records are exactly those ``dartnk eligibility`` and ``dartnk antigens`` read; the form only
lays their fields out. Yes/no facts are three-way (yes / no / not known): an unanswered fact stays
missing, so eligibility says *undetermined* and names it rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

FieldKind = Literal["date", "int", "number", "text", "choice", "fact"]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind
    choices: tuple[str, ...] = ()
    hint: str = ""


SCREENING_FIELDS: tuple[tuple[str, tuple[FormField, ...]], ...] = (
    ("Patient", (
        FormField("consent_date", "Consent date", "date"),
        FormField("birth_date", "Birth date", "date"),
        FormField("sex", "Sex", "choice", ("female", "male")),
        FormField("weight_kg", "Weight (kg)", "number"),
        FormField("height_cm", "Height (cm)", "number"),
        FormField("ecog", "ECOG performance status", "int", hint="0–5"),
        FormField("life_expectancy_weeks", "Life expectancy (weeks)", "int"),
    )),
    ("Disease and prior therapy", (
        FormField("histology", "Histology", "choice", ("small_cell_lung_cancer", "non_small_cell_lung_cancer",
                                                      "large_cell_neuroendocrine", "other")),
        FormField("stage", "Stage", "choice", ("extensive", "metastatic", "unresectable", "limited")),
        FormField("prior_systemic_regimens", "Prior systemic regimens", "int"),
        FormField("prior_platinum", "Prior platinum-based regimen", "fact"),
        FormField("platinum_contraindicated", "Platinum contraindicated", "fact"),
        FormField("measurable_disease", "Measurable disease (RECIST 1.1)", "fact"),
        FormField("cns_metastases", "CNS metastases", "choice", ("none", "treated_stable", "active", "uncontrolled",
                                                                "leptomeningeal")),
        FormField("tumour_tissue_available", "Tumour tissue available for profiling", "fact"),
    )),
    ("Organ function", (
        FormField("lvef_percent", "LVEF (%)", "number"),
        FormField("measured_creatinine_clearance_ml_min", "Measured creatinine clearance (mL/min), if any", "number"),
    )),
    ("Exclusions", (
        FormField("prior_gene_modified_cell_therapy_date", "Last gene-modified cell therapy (date, or 'never')", "text"),
        FormField("allogeneic_hsct_date", "Allogeneic HSCT (date, or 'never')", "text"),
        FormField("myocardial_infarction_date", "Myocardial infarction (date, or 'never')", "text"),
        FormField("prior_confounding_target_therapy", "Prior therapy against DLL3, CD56 or GD2", "fact"),
        FormField("active_gvhd", "Active GVHD", "fact"),
        FormField("active_uncontrolled_infection", "Active uncontrolled infection (HIV, HBV/HCV viremia, TB)", "fact"),
        FormField("uncontrolled_arrhythmia", "Uncontrolled arrhythmia", "fact"),
        FormField("autoimmune_disease_requiring_systemic_immunosuppression", "Autoimmune disease on systemic immunosuppression", "fact"),
        FormField("corticosteroid_prednisone_mg_day", "Systemic corticosteroids (mg/day prednisone equivalent)", "number"),
        FormField("corticosteroid_physiologic_replacement", "Corticosteroids are physiologic replacement", "fact"),
        FormField("concurrent_malignancy_requiring_treatment", "Concurrent malignancy requiring treatment", "fact"),
        FormField("childbearing_potential", "Person of childbearing potential", "fact"),
        FormField("reproductive_potential", "Person of reproductive potential", "fact"),
        FormField("pregnancy_test_negative", "Pregnancy test negative", "fact"),
        FormField("agrees_to_contraception", "Agrees to effective contraception", "fact"),
        FormField("pregnant_or_breastfeeding", "Pregnant or breastfeeding", "fact"),
        FormField("unsafe_per_investigator", "Unsafe in the investigator's opinion", "fact"),
    )),
)

def form_labs(protocol) -> dict[str, tuple[str, ...]]:
    """The labs the protocol's criteria read (creatinine for a clearance criterion), each with the
    units the screening record accepts for it (:data:`dartnk.clinical.screening_record.LAB_UNITS`)."""
    from dartnk.clinical.screening_record import LAB_UNITS

    criteria = [*protocol.eligibility.inclusion, *protocol.eligibility.exclusion]
    ids = [c.lab for c in criteria if getattr(c, "lab", None)]
    if any(c.check == "creatinine_clearance" for c in criteria):
        ids.append("creatinine")
    return {lab: tuple(LAB_UNITS[lab]) for lab in dict.fromkeys(ids) if lab in LAB_UNITS}

ANTIGEN_FIELDS = ("percent_positive", "intensity", "h_score", "pct_1", "pct_2", "pct_3")


def _value(kind: FieldKind, raw: str) -> Any:
    if kind == "int":
        return int(raw) if raw.lstrip("-").isdigit() else raw
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return raw  # the record's validation names the field and the value
    if kind == "fact":
        return {"yes": True, "no": False}.get(raw)
    return raw


def screening_record(form: dict[str, str], labs: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """The screening record from the posted fields (``labs`` as ``lab.<id>.value|unit|lln|uln``)."""
    record: dict[str, Any] = {}
    for _, fields in SCREENING_FIELDS:
        for f in fields:
            raw = (form.get(f.name) or "").strip()
            if raw:
                value = _value(f.kind, raw)
                if value is not None:
                    record[f.name] = value
    entries: dict[str, Any] = {}
    for lab, units in labs.items():
        value = (form.get(f"lab.{lab}.value") or "").strip()
        if not value:
            continue
        entry: dict[str, Any] = {"value": _value("number", value), "unit": form.get(f"lab.{lab}.unit") or units[0]}
        for limit in ("lln", "uln"):
            raw = (form.get(f"lab.{lab}.{limit}") or "").strip()
            if raw:
                entry[limit] = _value("number", raw)
        entries[lab] = entry
    if entries:
        record["labs"] = entries
    return record


def screening_values(record: dict[str, Any] | None) -> dict[str, str]:
    """The form's field values from a stored record (to edit it)."""
    if not record:
        return {}
    out: dict[str, str] = {}
    for key, value in record.items():
        if key == "labs":
            for lab, entry in value.items():
                for part, v in entry.items():
                    out[f"lab.{lab}.{part}"] = str(v)
        elif isinstance(value, bool):
            out[key] = "yes" if value else "no"
        elif value is not None and not isinstance(value, (list, dict)):
            out[key] = str(value)
    return out


def antigen_record(form: dict[str, str], antigen_ids: list[str]) -> dict[str, Any]:
    """The antigen record: per antigen % positive and intensity, an H-score, or % at 1+/2+/3+."""
    antigens: dict[str, Any] = {}
    for ag in antigen_ids:
        entry: dict[str, Any] = {}
        for part in ("percent_positive", "intensity", "h_score"):
            raw = (form.get(f"{ag}.{part}") or "").strip()
            if raw:
                entry[part] = _value("int" if part == "intensity" else "number", raw)
        by_intensity = {str(i): _value("number", form[f"{ag}.pct_{i}"].strip()) for i in (1, 2, 3)
                        if (form.get(f"{ag}.pct_{i}") or "").strip()}
        if by_intensity:
            entry["percent_by_intensity"] = by_intensity
        if entry:
            antigens[ag] = entry
    return {"antigens": antigens}


def antigen_values(record: dict[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for ag, entry in ((record or {}).get("antigens") or {}).items():
        for part, v in entry.items():
            if part == "percent_by_intensity":
                out.update({f"{ag}.pct_{i}": str(x) for i, x in v.items()})
            else:
                out[f"{ag}.{part}"] = str(v)
    return out
