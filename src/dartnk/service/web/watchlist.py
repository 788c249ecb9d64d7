"""What needs attention this week: DLT windows about to end, and visits overdue (dashboard lists)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

WEEK_DAYS = 7


def watchlist(conduct, patients: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(DLT windows whose last day falls within the next 7 days, overdue visits), over the patients
    the user can see; the window's last day is :func:`dartnk.clinical.dlt.window_last_day`."""
    from dartnk.clinical.dlt import window_last_day
    from dartnk.service.workflow import views

    today: date = conduct.today
    last_day = window_last_day(conduct.protocol)
    ending, overdue = [], []
    for row in patients:
        if row["status"] not in ("dlt_window", "follow_up", "off_study"):
            continue
        pt = views.patient_view(conduct, row["id"])
        if pt.get("day0") and row["status"] == "dlt_window":
            last = date.fromisoformat(pt["day0"]) + timedelta(days=last_day)
            if today <= last <= today + timedelta(days=WEEK_DAYS):
                ending.append({"id": pt["id"], "last_day": last.isoformat(), "days_left": (last - today).days,
                               "arm": (pt.get("enrollment") or {}).get("arm"), "dlt": (pt.get("dlt") or {}).get("proposed")})
        for v in pt.get("overdue_visits", []):
            overdue.append({"id": pt["id"], "visit": v["name"], "window_end": v["window_end"]})
    return sorted(ending, key=lambda x: x["last_day"]), sorted(overdue, key=lambda x: x["window_end"])
