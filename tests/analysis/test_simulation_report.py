"""The HTML report: self-contained, and its numbers are the numbers of summary.json."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from dartnk.analysis.simulation_report import fmt_num, fmt_p, fmt_se_p, render_report
from dartnk.analysis.simulation_summary import summary_document
from dartnk.sim.runner import run_trials
from dartnk.sim.scenario import shipped_scenario


class _Tables(HTMLParser):
    """Collect table cells by the table's class and data-scenario attribute."""

    def __init__(self):
        super().__init__()
        self.tables: dict = {}
        self.current = None
        self.row = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            key = (a.get("class") or a.get("id"), a.get("data-scenario"), a.get("data-arm"))
            self.current = self.tables.setdefault(key, [])
        elif tag == "tr" and self.current is not None:
            self.row = []
            self.current.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


@pytest.fixture(scope="module")
def report(protocol):
    sc = [shipped_scenario("default", protocol), shipped_scenario("manufacturing-failures", protocol)]
    m = run_trials(protocol, sc, 30, 4, workers=1)
    doc = summary_document(protocol, sc, m, trials=30, seed=4, engine="fast", workers=1, scheduler=None,
                           elapsed_seconds=0.5, version="9.9.9")
    return doc, render_report(doc)


def test_formatters():
    assert fmt_p(0.6512) == "65.1%" and fmt_p(None) == "–" and fmt_p(float("nan")) == "–"
    assert fmt_se_p(0.0213) == "±2.1" and fmt_num(3.14159, 2) == "3.14" and fmt_num(None) == "–"


def test_self_contained_with_plots_and_provenance(report):
    doc, html = report
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r'(src|href)="https?:', html)
    assert len(re.findall(r'src="data:image/png;base64,', html)) == 2 + len(doc["scenarios"])
    assert '<b id="seed">4</b>' in html and '<b id="version">9.9.9</b>' in html
    assert "NCT07480213" in html and "Participants: at most 60" in html


def test_arm_tables_match_the_summary(report):
    doc, html = report
    t = _Tables()
    t.feed(html)
    for s in doc["scenarios"]:
        for c, arm in s["arms"].items():
            rows = t.tables[("arm", s["name"], c)]
            header = rows[0][1:-2]
            p_row = next(r for r in rows if r[0] == "P(MTD/RP2D)")
            pts_row = next(r for r in rows if r[0] == "mean patients")
            for j, lv in enumerate(header):
                assert p_row[1 + j] == f"{fmt_p(arm['p_mtd'][lv]['p'])} {fmt_se_p(arm['p_mtd'][lv]['se'])}"
                assert pts_row[1 + j].startswith(fmt_num(arm["mean_patients"][lv]["mean"]))
            assert p_row[-2].startswith(fmt_p(arm["p_mtd"]["none"]["p"]))


def test_selection_expansion_and_totals_match_the_summary(report):
    doc, html = report
    t = _Tables()
    t.feed(html)
    for s in doc["scenarios"]:
        head, vals = t.tables[("selection", s["name"], None)]
        for k, v in s["selection"]["p_selected"].items():
            assert vals[head.index(k)].startswith(fmt_p(v["p"]))
        assert vals[-1].startswith(fmt_p(s["selection"]["p_best_selected"]["p"]))
        head, vals = t.tables[("expansion", s["name"], None)]
        assert vals[head.index("P(stop: futility)")].startswith(fmt_p(s["expansion"]["p_stop_futility"]["p"]))
        assert vals[head.index("trials")] == str(s["expansion"]["orr"]["trials"])
        totals = t.tables[("totals", s["name"], None)]
        n_row = next(r for r in totals if r[0] == "participants treated (N)")
        assert n_row[1].startswith(fmt_num(s["participants"]["mean"]))
        assert n_row[2].startswith(fmt_num(s["participants"]["median"]["value"], 1))
        d_row = next(r for r in totals if r[0] == "duration (months)")
        assert d_row[3].startswith(fmt_num(s["duration_months"]["p90"]["value"], 1))
    overview = t.tables[("overview", None, None)]
    assert [r[0] for r in overview[1:]] == [s["name"] for s in doc["scenarios"]]


def test_assumptions_are_stated_per_scenario(report):
    doc, html = report
    for s in doc["scenarios"]:
        a = s["assumptions"]
        block = re.search(rf'<p class="note assumptions" data-scenario="{s["name"]}">(.*?)</p>', html, re.S).group(1)
        assert f"{fmt_num(a['patients_per_month'], 1)} arrivals per month" in block
        assert f"GD2 {fmt_p(a['antigen_prevalence']['GD2'])}" in block
        for c, v in a["manufacturing_success"].items():
            assert f"{c} {fmt_p(v)}" in block
    assert html.index("Design simulated") < html.index("Summary across scenarios")
