"""Posted adverse-event and tumour-assessment fields → the API's bodies (shared with live grading)."""

from __future__ import annotations

from typing import Any

AE_KINDS = ("crs", "icans", "lab", "grade")


def _number(raw: str) -> Any:
    try:
        return float(raw)
    except ValueError:
        return raw  # validation names the field and the value


def grading_inputs(form: dict[str, str]) -> dict[str, Any]:
    """The one grading input the chosen kind needs: ``crs``, ``icans``, ``lab`` or ``grade``."""
    kind = form.get("kind", "crs")
    if kind == "crs":
        crs: dict[str, Any] = {"fever_masked": form.get("crs.fever_masked") == "true",
                               "vasopressin_added": form.get("crs.vasopressin_added") == "true",
                               "hypotension": form.get("crs.hypotension", "none"), "oxygen": form.get("crs.oxygen", "none")}
        for key in ("temperature_c", "oxygen_flow_l_min"):
            if form.get(f"crs.{key}", "").strip():
                crs[key] = _number(form[f"crs.{key}"].strip())
        return {"crs": crs}
    if kind == "icans":
        items: dict[str, Any] = {k: form.get(f"icans.ice_items.{k}") == "true" for k in
                                 ("oriented_year", "oriented_month", "oriented_city", "oriented_hospital",
                                  "follows_commands", "writes_sentence", "counts_back_by_10")}
        raw = form.get("icans.ice_items.objects_named", "").strip()
        items["objects_named"] = int(raw) if raw.isdigit() else raw
        return {"icans": {"ice_items": items, **{k: form.get(f"icans.{k}", "none") for k in
                                                 ("consciousness", "seizure", "motor", "raised_icp")}}}
    if kind == "lab":
        lab: dict[str, Any] = {}
        for key in ("value", "lln", "uln", "baseline"):
            if form.get(f"lab.{key}", "").strip():
                lab[key] = _number(form[f"lab.{key}"].strip())
        if form.get("lab.unit", "").strip():
            lab["unit"] = form["lab.unit"].strip()
        return {"lab": lab}
    return {"grade": int(form["grade"]) if form.get("grade", "").isdigit() else form.get("grade")}


def adverse_event_body(form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"term": form.get("term", "").strip(), "attribution": form.get("attribution", ""),
                            "serious": form.get("serious") == "true", "onset_on": form.get("onset_on") or None}
    if form.get("resolved_on"):
        body["resolved_on"] = form["resolved_on"]
    return body | grading_inputs(form)


def tumor_assessment_body(form: dict[str, str]) -> dict[str, Any]:
    """Lesion rows ``lesion.<i>.<field>``; rows without an id or a measurement are left out."""
    baseline = form.get("baseline") == "true"
    rows: dict[int, dict[str, Any]] = {}
    for key, value in form.items():
        if key.startswith("lesion."):
            _, i, field = key.split(".", 2)
            rows.setdefault(int(i), {})[field] = value
    lesions = []
    for i in sorted(rows):
        r = rows[i]
        if not r.get("id", "").strip():
            continue
        les: dict[str, Any] = {"id": r["id"].strip()}
        if r.get("diameter_mm", "").strip():
            les["diameter_mm"] = _number(r["diameter_mm"].strip())
        if baseline:
            if "diameter_mm" not in les:
                continue
            les["organ"] = r.get("organ", "").strip()
            les["lymph_node"] = r.get("lymph_node") == "true"
        else:
            les["status"] = r.get("status", "measured")
        lesions.append(les)
    body: dict[str, Any] = {"assessed_on": form.get("assessed_on") or None, "baseline": baseline,
                            "target_lesions": lesions, "non_target": form.get("non_target") or None}
    if not baseline:
        body["new_lesions"] = form.get("new_lesions") == "true"
    return body
