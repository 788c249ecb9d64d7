"""A patient's course as one dated list: consent to survival, in the order it happened."""

from __future__ import annotations

from typing import Any


def timeline(pt: dict[str, Any]) -> list[dict[str, Any]]:
    """Dated items (``date``, ``day`` since Day 0 or None, ``kind``, ``text``) from the patient view."""
    from datetime import date

    day0 = date.fromisoformat(pt["day0"]) if pt.get("day0") else None

    def item(on: str, kind: str, text: str) -> dict[str, Any]:
        day = (date.fromisoformat(on) - day0).days if day0 else None
        return {"date": on, "day": day, "kind": kind, "text": text}

    items = [item(pt["registered_on"], "registration", "registered")]
    if pt.get("consent"):
        items.append(item(pt["consent"]["signed_on"], "consent", f"consent signed (form {pt['consent']['version']})"))
        if pt["consent"].get("withdrawn_on"):
            items.append(item(pt["consent"]["withdrawn_on"], "withdrawal", "consent withdrawn"))
    if pt.get("enrollment"):
        e = pt["enrollment"]
        items.append(item(e["enrolled_on"], "enrollment",
                          f"enrolled: {e['arm']} at {e['dose_level']}, cohort {e['cohort']}, slot {e['slot']}"))
    for a in pt.get("administrations", []):
        if a["kind"] == "infusion":
            items.append(item(a["given_on"], "infusion", f"CAR-NK infusion, {a['dose']:.3g} cells (lot {a['lot_number']})"))
        else:
            items.append(item(a["given_on"], "lymphodepletion", f"{a['agent']} {a['dose']:g} {a['unit']}"))
    for ae in pt.get("adverse_events", []):
        items.append(item(ae["onset_on"], "adverse-event", f"{ae['term']}, grade {ae['grade']} ({ae['attribution']})"))
        if ae.get("resolved_on"):
            items.append(item(ae["resolved_on"], "adverse-event", f"{ae['term']} resolved"))
    for v in ((pt.get("response") or {}).get("visits") or []):
        if day0 is not None and v.get("day") is not None:
            from datetime import timedelta

            on = (day0 + timedelta(days=v["day"])).isoformat()
            items.append(item(on, "assessment", f"tumour assessment: {v.get('overall')} (sum {v.get('sum_mm')} mm)"))
    for s in pt.get("survival", []):
        items.append(item(s["as_of"], "survival", s["status"].replace("_", " ") + (f" ({s['cause']})" if s.get("cause") else "")))
    return sorted(items, key=lambda x: x["date"])
