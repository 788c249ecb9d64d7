"""The self-contained HTML report of a simulation run (a protocol appendix).

Rendered with Jinja2 from the ``summary.json`` document alone, so every number in the report is
a number of the summary; plots are matplotlib figures embedded as base64 PNG, drawn in black and
white (hatching and markers, no colour coding) with labelled axes and units.
"""

from __future__ import annotations

import base64
import io
import math

FMT_P = "{:.1%}"


def fmt_p(v) -> str:
    """A proportion as a percentage with one decimal (``65.0%``); ``–`` when missing."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return FMT_P.format(v)


def fmt_se_p(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"±{v * 100:.1f}"


def fmt_num(v, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:.{digits}f}"


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


HATCHES = ["", "///", "...", "xxx", "\\\\\\", "ooo", "---", "+++"]


def _selection_plot(doc) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    scen = doc["scenarios"]
    labels = list(scen[0]["selection"]["p_selected"].keys())
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(scen) + 1.6))
    y = np.arange(len(scen))
    left = np.zeros(len(scen))
    for j, lab in enumerate(labels):
        vals = np.array([s["selection"]["p_selected"][lab]["p"] for s in scen])
        ax.barh(y, vals, left=left, color="white", edgecolor="black", hatch=HATCHES[j % len(HATCHES)], label=lab)
        left += vals
    ax.set_yticks(y, [s["name"] for s in scen])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability of selection (share of simulated trials)")
    ax.set_title("Interim construct selection per scenario")
    ax.legend(ncol=min(5, len(labels)), loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False, fontsize=8)
    return _png(fig)


def _distribution_plot(doc) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scen = doc["scenarios"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    styles = ["-", "--", ":", "-."]
    markers = ["o", "s", "^", "D", "v", "x", "+", "*"]
    for i, s in enumerate(scen):
        dist = s["participants"]["distribution"]
        xs = sorted(int(k) for k in dist)
        a1.plot(xs, [dist[str(x)] for x in xs], color="black", linestyle=styles[i % 4], marker=markers[i % 8],
                markersize=3, linewidth=1, label=s["name"])
        h = s["duration_months"]["histogram"]
        mids = [(a + b) / 2 for a, b in zip(h["edges"], h["edges"][1:])]
        a2.plot(mids, h["p"], color="black", linestyle=styles[i % 4], marker=markers[i % 8], markersize=3, linewidth=1,
                label=s["name"])
    a1.axvline(doc["protocol"]["max_participants"], color="black", linewidth=0.8)
    a1.set_xlabel("participants treated (N)")
    a1.set_ylabel("share of trials")
    a1.set_title("Total N (vertical line: the cap)")
    a2.set_xlabel("trial duration (months, 3-month bins)")
    a2.set_ylabel("share of trials")
    a2.set_title("Duration: trial opening to close")
    a2.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return _png(fig)


def _allocation_plot(scenario, level_ids) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    arms = scenario["arms"]
    names = list(arms)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.3))
    x = np.arange(len(level_ids))
    w = 0.8 / len(names)
    for j, c in enumerate(names):
        pts = [arms[c]["mean_patients"][lv]["mean"] for lv in level_ids]
        mtd = [arms[c]["p_mtd"][lv]["p"] for lv in level_ids]
        kw = dict(color="white", edgecolor="black", hatch=HATCHES[j % len(HATCHES)], label=c)
        a1.bar(x + (j - (len(names) - 1) / 2) * w, pts, w, **kw)
        a2.bar(x + (j - (len(names) - 1) / 2) * w, mtd, w, **kw)
    for ax in (a1, a2):
        ax.set_xticks(x, level_ids)
        ax.set_xlabel("dose level")
    a1.set_ylabel("mean patients treated (per trial)")
    a1.set_title("Dose allocation in escalation")
    a2.set_ylabel("P(declared MTD/RP2D)")
    a2.set_ylim(0, 1)
    a2.set_title("MTD/RP2D selection")
    a2.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return _png(fig)


TEMPLATE = r"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ doc.protocol.id }} — simulated operating characteristics</title>
<style>
body { font-family: Georgia, 'Times New Roman', serif; max-width: 1100px; margin: 2em auto; color: #111; line-height: 1.35; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #111; margin-top: 2em; } h3 { margin-bottom: .3em; }
table { border-collapse: collapse; margin: .6em 0 1.2em; font-size: .9em; }
th, td { border: 1px solid #777; padding: .25em .55em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #eee; }
.se { color: #555; font-size: .85em; }
pre { background: #f6f6f6; padding: .8em; font-size: .8em; white-space: pre-wrap; }
img { max-width: 100%; }
.note { font-size: .85em; color: #333; }
</style></head><body>
<h1>{{ doc.protocol.id }} ({{ doc.protocol.registry_id }}) — operating characteristics by simulation</h1>
<p>{{ doc.trials_per_scenario }} simulated trials per scenario, {{ doc.scenarios|length }} scenarios;
seed <b id="seed">{{ doc.seed }}</b>; dartnk <b id="version">{{ doc.dartnk_version }}</b>; engine {{ doc.engine }};
{{ doc.elapsed_seconds }} s. Reproduce with <code>dartnk simulate --seed {{ doc.seed }} --trials {{ doc.trials_per_scenario }}{% for s in doc.scenarios %} --scenario {{ s.name }}{% endfor %}</code>
(results do not depend on the number of workers). Values are shares or means over trials; the small grey
number is the Monte Carlo standard error (percentage points for shares); quantiles carry their distribution-free 95% interval.</p>

<h2>Design simulated</h2>
<pre>{{ doc.protocol.summary|join("\n") }}</pre>
<p class="note">Each simulated trial runs the protocol's rules through the dartnk.trial engine: screening and antigen-guided assignment,
three parallel 3+3 arms with sentinel staggering and the full DLT window, committee sign-off of every step, the interim selection,
the expansion at the RP2D with toxicity and futility monitoring, and the participant cap. Timing assumptions and the sources of
the antigen prevalences are in docs/simulation.md of dartnk {{ doc.dartnk_version }}.</p>

<h2>Summary across scenarios</h2>
<table id="overview"><tr><th>scenario</th><th>best construct</th><th>P(best selected)</th><th>P(expansion stopped: toxicity)</th>
<th>P(stopped: futility)</th><th>mean N</th><th>P(N &gt; {{ doc.protocol.max_participants }})</th><th>median duration (months)</th><th>P90 duration</th></tr>
{% for s in doc.scenarios %}<tr><td>{{ s.name }}</td><td>{{ s.selection.best_construct or "none" }}</td>
<td>{{ s.selection.p_best_selected.p|pct }} <span class="se">{{ s.selection.p_best_selected.se|sep }}</span></td>
<td>{{ s.expansion.p_stop_toxicity.p|pct }}</td><td>{{ s.expansion.p_stop_futility.p|pct }}</td>
<td>{{ s.participants.mean|num(1) }}</td><td>{{ s.participants.p_over_cap.p|pct }}</td>
<td>{{ s.duration_months.median.value|num(1) }}</td><td>{{ s.duration_months.p90.value|num(1) }}</td></tr>
{% endfor %}</table>
<img alt="selection probabilities per scenario" src="{{ plots.selection }}">
<img alt="distributions of N and duration" src="{{ plots.distributions }}">

{% for s in doc.scenarios %}
<h2 id="scenario-{{ s.name }}">Scenario {{ s.name }}: {{ s.title }}</h2>
<p>{{ s.description }} <br><i>Best construct:</i> {{ s.selection.best_construct or "none" }} — {{ s.selection.best_definition }}.
Trials finished: {{ s.p_finished.p|pct }}.</p>
{% set a = s.assumptions %}
<p class="note assumptions" data-scenario="{{ s.name }}">Assumptions: {{ a.patients_per_month|num(1) }} arrivals per month to screening
(result after {{ a.screening_days }} days); screen failure {{ a.screen_failure|pct }}; dropout before dosing {{ a.dropout_before_dosing|pct }};
not DLT-evaluable {{ a.not_evaluable|pct }}; committee sign-off after {{ a.committee_days }} days;
antigen prevalence {% for k, v in a.antigen_prevalence.items() %}{{ k }} {{ v|pct }}{% if not loop.last %}, {% endif %}{% endfor %}
(Gaussian copula, latent correlation {{ a.antigen_correlation|num(2) }}{% for k, v in a.antigen_pair_correlation.items() %}; {{ k }} {{ v|num(2) }}{% endfor %});
lot release {% for k, v in a.manufacturing_success.items() %}{{ k }} {{ v|pct }} in {{ a.manufacturing_days[k][0] }}–{{ a.manufacturing_days[k][1] }} days{% if not loop.last %}, {% endif %}{% endfor %}.</p>
<h3>Escalation, per arm</h3>
{% for c, a in s.arms.items() %}
<table class="arm" data-scenario="{{ s.name }}" data-arm="{{ c }}"><tr><th>{{ c }}</th>{% for lv in levels %}<th>{{ lv }}</th>{% endfor %}<th>none</th><th>total</th></tr>
<tr><td>true P(DLT)</td>{% for lv in levels %}<td>{{ a.true_dlt[lv]|num(2) }}</td>{% endfor %}<td></td><td></td></tr>
<tr><td>true P(response)</td>{% for lv in levels %}<td>{{ a.true_response[lv]|num(2) }}</td>{% endfor %}<td></td><td></td></tr>
<tr><td>P(MTD/RP2D)</td>{% for lv in levels %}<td>{{ a.p_mtd[lv].p|pct }} <span class="se">{{ a.p_mtd[lv].se|sep }}</span></td>{% endfor %}<td>{{ a.p_mtd.none.p|pct }} <span class="se">{{ a.p_mtd.none.se|sep }}</span></td><td></td></tr>
<tr><td>mean patients</td>{% for lv in levels %}<td>{{ a.mean_patients[lv].mean|num(2) }} <span class="se">±{{ a.mean_patients[lv].se|num(2) }}</span></td>{% endfor %}<td></td><td>{{ a.mean_patients_total.mean|num(2) }}</td></tr>
<tr><td>mean DLTs</td>{% for lv in levels %}<td>{{ a.mean_dlts[lv].mean|num(2) }} <span class="se">±{{ a.mean_dlts[lv].se|num(2) }}</span></td>{% endfor %}<td></td><td>{{ a.mean_dlts_total.mean|num(2) }}</td></tr>
</table>
<p class="note">{{ c }}: stopped with no tolerable dose {{ a.p_no_tolerable_dose.p|pct }}; closed by the participant cap {{ a.p_closed_by_cap.p|pct }}.</p>
{% endfor %}
<img alt="dose allocation and MTD selection for {{ s.name }}" src="{{ plots.allocation[s.name] }}">
<h3>Interim selection</h3>
<table class="selection" data-scenario="{{ s.name }}"><tr>{% for k in s.selection.p_selected %}<th>{{ k }}</th>{% endfor %}<th>P(best selected)</th></tr>
<tr>{% for k, v in s.selection.p_selected.items() %}<td>{{ v.p|pct }} <span class="se">{{ v.se|sep }}</span></td>{% endfor %}
<td>{{ s.selection.p_best_selected.p|pct }} <span class="se">{{ s.selection.p_best_selected.se|sep }}</span></td></tr></table>
<p class="note">Correct decision means: {{ s.selection.correct_means }}.</p>
<h3>Expansion</h3>
<table class="expansion" data-scenario="{{ s.name }}"><tr><th>P(opened)</th><th>P(stop: toxicity)</th><th>P(stop: futility)</th><th>mean patients</th>
<th>true ORR (mean)</th><th>ORR estimate (mean)</th><th>bias</th><th>RMSE</th><th>95% CI coverage</th><th>trials</th></tr>
<tr><td>{{ s.expansion.p_opened.p|pct }}</td><td>{{ s.expansion.p_stop_toxicity.p|pct }} <span class="se">{{ s.expansion.p_stop_toxicity.se|sep }}</span></td>
<td>{{ s.expansion.p_stop_futility.p|pct }} <span class="se">{{ s.expansion.p_stop_futility.se|sep }}</span></td>
<td>{{ s.expansion.mean_patients.mean|num(1) }}</td>
{% if s.expansion.orr.trials %}<td>{{ s.expansion.orr.true_mean|num(3) }}</td><td>{{ s.expansion.orr.estimate_mean|num(3) }}</td>
<td>{{ s.expansion.orr.bias.mean|num(3) }} <span class="se">±{{ s.expansion.orr.bias.se|num(3) }}</span></td><td>{{ s.expansion.orr.rmse|num(3) }}</td>
<td>{{ s.expansion.orr.coverage_95.p|pct }} <span class="se">{{ s.expansion.orr.coverage_95.se|sep }}</span></td>{% else %}<td>–</td><td>–</td><td>–</td><td>–</td><td>–</td>{% endif %}
<td>{{ s.expansion.orr.trials }}</td></tr></table>
<h3>Size, screening and duration</h3>
<table class="totals" data-scenario="{{ s.name }}"><tr><th>quantity</th><th>mean</th><th>median [95% CI]</th><th>P90 [95% CI]</th><th>max</th></tr>
{% for label, q in [("participants treated (N)", s.participants), ("patients screened", s.screened), ("duration (months)", s.duration_months)] %}
<tr><td>{{ label }}</td><td>{{ q.mean|num(2) }} <span class="se">±{{ q.se|num(2) }}</span></td>
<td>{{ q.median.value|num(1) }} [{{ q.median.ci95[0]|num(1) }}, {{ q.median.ci95[1]|num(1) }}]</td>
<td>{{ q.p90.value|num(1) }} [{{ q.p90.ci95[0]|num(1) }}, {{ q.p90.ci95[1]|num(1) }}]</td><td>{{ q.max|num(1) }}</td></tr>{% endfor %}
</table>
<p class="note">P(N &gt; {{ doc.protocol.max_participants }}) = {{ s.participants.p_over_cap.p|pct }} (0 by design);
patients lost to the waitlist: mean {{ s.lost_to_wait.mean|num(2) }}, P(any) {{ s.lost_to_wait.p_any.p|pct }};
qualifying patients refused (no arm could take them): mean {{ s.refused.mean|num(2) }}; screen failures: mean {{ s.screen_failures.mean|num(2) }};
DLTs overall: mean {{ s.dlts_total.mean|num(2) }}; grade ≥ 3 CRS in {{ s.crs_grade3_rate|pct }} and grade ≥ 3 ICANS in {{ s.icans_grade3_rate|pct }} of treated patients.</p>
{% endfor %}

</body></html>
"""


def render_report(doc: dict) -> str:
    """The HTML report of a ``summary.json`` document (self-contained: plots are embedded)."""
    from jinja2 import Environment, select_autoescape

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["pct"] = fmt_p
    env.filters["sep"] = fmt_se_p
    env.filters["num"] = fmt_num
    first_arm = next(iter(doc["scenarios"][0]["arms"].values()))
    levels = list(first_arm["true_dlt"].keys())
    plots = {"selection": _selection_plot(doc), "distributions": _distribution_plot(doc),
             "allocation": {s["name"]: _allocation_plot(s, levels) for s in doc["scenarios"]}}
    return env.from_string(TEMPLATE).render(doc=doc, levels=levels, plots=plots)
