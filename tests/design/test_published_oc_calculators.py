"""Published exact 3+3 operating characteristics from the web calculators (AplusB, Chen-Zheng), through ``dartnk oc``.

The same conventions as test_published_oc.py: every expected number is printed in the cited source; tolerance is half
a unit of the last printed decimal (plus one display rounding where the source rounds twice).
"""

from __future__ import annotations

import pytest

from tests.design.test_published_oc import oc_json


# -- AplusB (Wheeler, Sweeting & Mander, PLOS ONE 2016;11:e0159026; github.com/graham-wheeler/AplusB): exact ------
# -- operating characteristics of A+B designs, as quoted in R escalation's tests/testthat/test_simulate_trials.R ----
# -- (github.com/brockk/escalation, commit 1702b6b, test "3+3 simulations match independent source"): ---------------
#   5 doses, true DLT 0.1 0.2 0.3 0.4 0.5, de-escalation:     c(0.1, 0.28, 0.33, 0.2, 0.06, 0.02)   # Wheeler stats
#   8 doses, true DLT 0.1 … 0.8, no de-escalation:            c(0.09, 0.26, 0.33, 0.22, 0.08, 0.02, 0, 0, 0)
# P(no dose), P(level 1), …, P(level K) recommended, printed to 2 decimals from an app that displays 3 (so a value
# may carry two roundings: 0.3247 → 0.325 → 0.33). Tolerance: half a unit of each, 0.005 + 0.0005.
# Variant: the app is by the authors of bcrm::threep3, whose documented rules it shares: 3+3 on cohorts of 3,
# de-escalation to a level with fewer than 6 patients (or none), and 0/3 at the top level ends the trial with the top
# level as MTD — no expansion there. The 5-dose row separates the top-level rule: with expand_top_level=true dartnk
# gives 0.0659 at level 4 and 0.0107 at level 5, the top (printed 0.06 and 0.02), so only expand_top_level=false fits.
APLUSB_TOL = 0.005 + 0.0005
APLUSB_DEESCALATE = ("0.1,0.2,0.3,0.4,0.5", [0.1, 0.28, 0.33, 0.2, 0.06, 0.02])
APLUSB_NO_DEESCALATE = ("0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8", [0.09, 0.26, 0.33, 0.22, 0.08, 0.02, 0, 0, 0])


def test_aplusb_with_deescalation_through_dartnk_oc():
    tox, printed = APLUSB_DEESCALATE
    out = oc_json(tox, "deescalate=true", "expand_top_level=false")
    assert out["method"] == "exact"
    assert out["p_select"] == pytest.approx(printed, abs=APLUSB_TOL)


def test_aplusb_with_deescalation_is_not_the_top_expanding_variant():
    tox, printed = APLUSB_DEESCALATE
    out = oc_json(tox, "deescalate=true", "expand_top_level=true")
    misses = [i for i, (got, want) in enumerate(zip(out["p_select"], printed)) if abs(got - want) > APLUSB_TOL]
    assert misses == [4, 5]  # P(MTD = level 4) and P(MTD = level 5)


@pytest.mark.parametrize("expand_top", ["true", "false"])
def test_aplusb_without_deescalation_through_dartnk_oc(expand_top):
    # The top level (DLT rate 0.8) is reached with probability < 1e-4, so its rule cannot show in 2 decimals.
    tox, printed = APLUSB_NO_DEESCALATE
    out = oc_json(tox, "deescalate=false", f"expand_top_level={expand_top}")
    assert out["p_select"] == pytest.approx(printed, abs=APLUSB_TOL)


# -- Chen-Zheng calculator (Chen Z, Zheng Y, et al., "Interactive calculator for operating characteristics of phase I ---
# -- cancer clinical trials using standard 3+3 designs", Contemp Clin Trials Commun 2018;12:145-153): its download ----
# -- table, saved as github.com/peteryzheng/EWOC-NETS file `downFile` (commit bdc3bc6), rows as written by ------------
# -- github.com/peteryzheng/Chen-Zheng-Calculator server.R (commit 175edfa), values round(x, 3): -----------------------
#   "True Probability of Dose Limiting Toxicity",0.05,0.1,0.15,0.25,0.35,0.5
#   "Probability of the Dose Level Chosen as MTD",0.091,0.164,0.287,0.26,0.141,0.029
#   "Expected Number of Patients Treated at the Dose Level",3.406,3.63,3.507,3.062,1.865,0.704
#   "Expected Number of Dose Limiting Toxicity at the Dose Level",0.17,0.363,0.526,0.765,0.653,0.352
#   "Overall Rate of Dose Limiting Toxicity",0.175
#   "Probability of All Dose Levels Being Over Toxic",0.027
#   "Expected Overall Number of Patients",16.174
#   "Expected Overall Number of Dose Limiting Toxicity",2.83
# Variant: Lin & Shih's 3+3 formulas without de-escalation (MTD = the level below the first too-toxic one); at the
# top level 0/3 or 1/6 declares it (no expansion). Only expand_top_level=false fits: with it true, P(MTD = 6) is
# 0.152 and E[patients at 6] 0.768. The sheet's "Expected Probability of Dose-limiting Toxicity at MTD" (0.189) is
# not compared: the calculator averages over levels 1-5 only (0.1891; over all six levels it is 0.1985).
CHEN_TOX = "0.05,0.1,0.15,0.25,0.35,0.5"
CHEN_P_MTD = [0.091, 0.164, 0.287, 0.26, 0.141, 0.029]
CHEN_PATIENTS = [3.406, 3.63, 3.507, 3.062, 1.865, 0.704]
CHEN_DLTS = [0.17, 0.363, 0.526, 0.765, 0.653, 0.352]
HALF_UNIT_3DP = 0.5e-3


def test_chen_zheng_calculator_without_deescalation_through_dartnk_oc():
    out = oc_json(CHEN_TOX, "deescalate=false", "expand_top_level=false")
    assert out["p_select"][1:] == pytest.approx(CHEN_P_MTD, abs=HALF_UNIT_3DP)
    assert out["p_select"][0] == pytest.approx(0.027, abs=HALF_UNIT_3DP)
    assert out["mean_patients"] == pytest.approx(CHEN_PATIENTS, abs=HALF_UNIT_3DP)
    assert out["mean_dlts"] == pytest.approx(CHEN_DLTS, abs=HALF_UNIT_3DP)
    assert out["mean_n"] == pytest.approx(16.174, abs=HALF_UNIT_3DP)
    assert out["mean_total_dlts"] == pytest.approx(2.83, abs=HALF_UNIT_3DP)
    assert out["mean_total_dlts"] / out["mean_n"] == pytest.approx(0.175, abs=HALF_UNIT_3DP)


def test_chen_zheng_calculator_is_not_the_top_expanding_variant():
    out = oc_json(CHEN_TOX, "deescalate=false", "expand_top_level=true")
    assert abs(out["p_select"][6] - CHEN_P_MTD[5]) > HALF_UNIT_3DP
    assert abs(out["mean_patients"][5] - CHEN_PATIENTS[5]) > HALF_UNIT_3DP
