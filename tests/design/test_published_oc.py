"""Published exact 3+3 operating characteristics, reproduced through ``dartnk oc --json`` and the rule itself.

Every expected number below is printed in the cited source; the tolerance is half a unit of the source's
last printed decimal. Each case names the variant the source computes (MTD definition, de-escalation,
top level, start level) and the ``--set`` values that select it. See docs/escalation.md, "Published checks".
"""

from __future__ import annotations

import json
import math

import pytest

from dartnk.design.escalation import LevelCounts, next_decision, settings_with
from tests.conftest import run_cli


def oc_json(tox: str, *sets: str) -> dict:
    """``dartnk oc --tox TOX --json --set S ...`` as a user runs it (a new process)."""
    args = ["oc", "--tox", tox, "--json"]
    for s in sets:
        args += ["--set", s]
    res = run_cli(*args)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def binom(m: int, x: int, p: float) -> float:
    return math.comb(m, x) * p ** x * (1 - p) ** (m - x)


def recommended_after(settings, tox: list[float], cohorts: int) -> list[float]:
    """P(recommendation) after at most ``cohorts`` cohorts: [no dose, level 1, …, level K].

    A path that has finished recommends its MTD (or no dose); a path still running recommends the level
    its next cohort is treated at. This is what ``escalation::prob_recommend`` reports for dose-paths
    truncated after a number of cohorts (``get_dose_paths(cohort_sizes = ...)``).
    """
    out = [0.0] * (len(tox) + 1)

    def walk(counts: tuple[tuple[int, int], ...], current: int, prob: float, left: int) -> None:
        d = next_decision(settings, [LevelCounts(*c) for c in counts], current)
        if d.done:
            out[0 if d.level is None else d.level + 1] += prob
            return
        if left == 0:
            out[d.level + 1] += prob
            return
        lv, m = d.level, d.n_patients
        for x in range(m + 1):
            new = list(counts)
            new[lv] = (counts[lv][0] + m, counts[lv][1] + x)
            walk(tuple(new), lv, prob * binom(m, x, tox[lv]), left - 1)

    walk(tuple((0, 0) for _ in tox), 0, 1.0, cohorts)
    return out


# -- R package escalation (Brock), version 0.1.7: help pages of calculate_probabilities and ------------------
# -- crystallised_dose_paths (pkgdown reference pages, identical output in both) ----------------------------
#
#   paths <- get_three_plus_three(num_doses = 5) %>% get_dose_paths(cohort_sizes = c(3, 3, 3))
#   true_prob_tox <- c(0.12, 0.27, 0.44, 0.53, 0.57)
#   x <- paths %>% calculate_probabilities(true_prob_tox)
#   prob_recommend(x)
#   #>     NoDose          1          2          3          4          5
#   #> 0.12854451 0.33600635 0.19081343 0.29807918 0.04655654 0.00000000
#
# Variant: escalation's 3+3 with its default allow_deescalate = FALSE (Storer 1989): escalate on 0/3 or
# ≤ 1/6, stop on ≥ 2/3 or ≥ 2/6 and recommend the level below (none below level 1), start at level 1.
# That is dartnk with deescalate=false, mtd_rule=below_toxic. Top-level handling cannot matter: level 5 is
# not reached within three cohorts, so both values of expand_top_level must reproduce the output.
ESCALATION_TOX = [0.12, 0.27, 0.44, 0.53, 0.57]
ESCALATION_PROB_RECOMMEND = [0.12854451, 0.33600635, 0.19081343, 0.29807918, 0.04655654, 0.00000000]
HALF_UNIT_8DP = 0.5e-8


@pytest.mark.parametrize("expand_top", [True, False])
def test_escalation_prob_recommend_after_three_cohorts(protocol, expand_top):
    s = settings_with(protocol.escalation, deescalate=False, expand_top_level=expand_top)
    got = recommended_after(s, ESCALATION_TOX, cohorts=3)
    assert got == pytest.approx(ESCALATION_PROB_RECOMMEND, abs=HALF_UNIT_8DP)


@pytest.mark.parametrize("expand_top", ["true", "false"])
def test_escalation_no_dose_probability_through_dartnk_oc(expand_top):
    # Without de-escalation, "no tolerable dose" is settled by the first two cohorts at level 1 (≥ 2/3, or 1/3
    # then ≥ 1 more), so the whole trial's P(no MTD) equals the published NoDose within three cohorts.
    out = oc_json(",".join(map(str, ESCALATION_TOX)), "deescalate=false", f"expand_top_level={expand_top}")
    assert out["settings"]["deescalate"] is False
    assert out["p_select"][0] == pytest.approx(ESCALATION_PROB_RECOMMEND[0], abs=HALF_UNIT_8DP)


def test_escalation_example_is_the_variant_without_deescalation(protocol):
    # Why deescalate=true does not reproduce the page: after 0/3 at level 1 and ≥ 2/3 at level 2, dartnk
    # treats 3 more at level 1 (escalation's default recommends level 1 and stops); with ≥ 2 DLTs among those
    # 3 the trial stops with no dose. That path moves exactly its probability from level 1 to "no dose".
    p1, p2 = ESCALATION_TOX[:2]
    moved = binom(3, 0, p1) * (binom(3, 2, p2) + binom(3, 3, p2)) * (binom(3, 2, p1) + binom(3, 3, p1))
    s = settings_with(protocol.escalation, deescalate=True)
    got = recommended_after(s, ESCALATION_TOX, cohorts=3)
    assert got[0] == pytest.approx(ESCALATION_PROB_RECOMMEND[0] + moved, abs=HALF_UNIT_8DP)
    assert got[1] == pytest.approx(ESCALATION_PROB_RECOMMEND[1] - moved, abs=HALF_UNIT_8DP)
    assert got[2:] == pytest.approx(ESCALATION_PROB_RECOMMEND[2:], abs=HALF_UNIT_8DP)


# -- Le CT, Introductory Biostatistics (Wiley 2003), Answers to selected exercises, answer 12.4, p. 526 -------
# (page image stored at issuhub.com/view/index?id=5551&pageIndex=543):
#   [0.6³ + 3(0.4)(0.6)²(0.6)³]{0.5³ + 3(0.5)³ + 3(0.5)³[1 − (0.5)³]} = 0.256
# i.e. the level with DLT rate 0.4 is escalated past (0/3, or 1/3 then 0/3) and the next level (0.5) then
# proves too toxic (≥ 2/3, or 1/3 then ≥ 1/3): the MTD is the 0.4 level. In a two-level arm without
# de-escalation and without expanding the top level that is exactly P(MTD = level 1).

def test_le_answer_12_4_through_dartnk_oc():
    out = oc_json("0.4,0.5", "deescalate=false", "expand_top_level=false")
    assert out["p_select"][1] == pytest.approx(0.256, abs=0.0005)


# -- Chow, Shao & Wang, Sample Size Calculations in Clinical Research (Marcel Dekker 2003), Examples 11.6.1 and
# -- 11.6.2, as printed on the R TrialSize help pages AB.withoutDescalation / AB.withDescalation ----------------
#   Example.11.6.1 <- AB.withoutDescalation(A=3, B=3, C=1, D=1, E=1, DLT=DLT)   # Example.11.6.1[1]=3.1
#   Example.11.6.2 <- AB.withDescalation(A=3, B=3, C=1, D=1, E=1, DLT=DLT)      # Example.11.6.2[7]=0.2
#   DLT = c(0.01, 0.014, 0.025, 0.056, 0.177, 0.594, 0.963)
# Values are expected patients at a level (levels 1 and 7). Variant: Lin & Shih's A+B, A = B = 3, escalate on
# 0/3 or ≤ 1/6. How the sources treat the top level cannot matter to the printed decimal (level 7 has DLT
# rate 0.963), so both values of expand_top_level must reproduce it. The engine-level test
# lives in test_exact_oc.py; these reproduce the same numbers through the command line. Printed to one
# decimal, they do not separate the variants: 11.6.1 with de-escalation gives 3.095 (3.088 without), 11.6.2
# gives 0.189 with or without.
CHOW_DLT = "0.01,0.014,0.025,0.056,0.177,0.594,0.963"


@pytest.mark.parametrize("expand_top", ["true", "false"])
def test_chow_example_11_6_1_through_dartnk_oc(expand_top):
    out = oc_json(CHOW_DLT, "deescalate=false", f"expand_top_level={expand_top}")
    assert out["mean_patients"][0] == pytest.approx(3.1, abs=0.05)


@pytest.mark.parametrize("expand_top", ["true", "false"])
def test_chow_example_11_6_2_through_dartnk_oc(expand_top):
    out = oc_json(CHOW_DLT, "deescalate=true", f"expand_top_level={expand_top}")
    assert out["mean_patients"][6] == pytest.approx(0.2, abs=0.05)


# -- R package precautionary (Norris), data-raw/T2.tab and data-raw/T4.tab (github.com/dcnorris/precautionary, ------
# -- commit b4124b9): every path of the 3+3 with 2 and 4 doses, enumerated by the package's Prolog specification ----
# Each path is a 2 x D matrix: row c = DLTs in the c-th cohort of 3 at each dose, NA = cohort not enrolled. The
# variant is "the (most?) common variant of the 3+3 design, which requires that at least 6 patients be treated at
# a dose before it may be declared as 'the' MTD" (precautionary man/exact.Rd, Korn et al. 1994) — dartnk with
# deescalate=true, expand_top_level=true. (escalation's own allow_deescalate = TRUE paths stop at the top level
# after 0/3, which Norris points out in vignettes/DTP-vs-Korn94.Rmd; precautionary enumerates Korn's rule.) The same
# help page prints the count for 4 doses: "the 262nd of 442 such paths". The tables are copied in the files'
# order, one path per token "row1/row2" (one character per dose, "-" for NA; T2 "0 0 / NA 0" is "00/-0"). The path set alone fixes, for any true DLT rates, the law of the sample size and the expected patients
# and DLTs per level, so those operating characteristics of `dartnk oc` are checked against the peer's own
# enumeration, not against our rule.
PRECAUTIONARY_T2 = """\
00/-0 00/-1 00/02 00/12 00/22 00/32 00/03 00/13 00/23 00/33 01/-0 01/01
01/11 01/21 01/31 01/02 01/12 01/22 01/32 01/03 01/13 01/23 01/33 02/0-
02/1- 02/2- 02/3- 03/0- 03/1- 03/2- 03/3- 10/00 10/01 10/02 10/03 11/00
11/01 11/02 11/03 12/0- 13/0- 1-/1- 1-/2- 1-/3- 2-/-- 3-/--
"""

PRECAUTIONARY_T4 = """\
0000/---0 0000/---1 0000/--02 0000/--12 0000/-022 0000/-122 0000/0222 0000/1222 0000/2222 0000/3222 0000/0322 0000/1322
0000/2322 0000/3322 0000/-032 0000/-132 0000/0232 0000/1232 0000/2232 0000/3232 0000/0332 0000/1332 0000/2332 0000/3332
0000/--03 0000/--13 0000/-023 0000/-123 0000/0223 0000/1223 0000/2223 0000/3223 0000/0323 0000/1323 0000/2323 0000/3323
0000/-033 0000/-133 0000/0233 0000/1233 0000/2233 0000/3233 0000/0333 0000/1333 0000/2333 0000/3333 0001/---0 0001/--01
0001/--11 0001/-021 0001/-121 0001/0221 0001/1221 0001/2221 0001/3221 0001/0321 0001/1321 0001/2321 0001/3321 0001/-031
0001/-131 0001/0231 0001/1231 0001/2231 0001/3231 0001/0331 0001/1331 0001/2331 0001/3331 0001/--02 0001/--12 0001/-022
0001/-122 0001/0222 0001/1222 0001/2222 0001/3222 0001/0322 0001/1322 0001/2322 0001/3322 0001/-032 0001/-132 0001/0232
0001/1232 0001/2232 0001/3232 0001/0332 0001/1332 0001/2332 0001/3332 0001/--03 0001/--13 0001/-023 0001/-123 0001/0223
0001/1223 0001/2223 0001/3223 0001/0323 0001/1323 0001/2323 0001/3323 0001/-033 0001/-133 0001/0233 0001/1233 0001/2233
0001/3233 0001/0333 0001/1333 0001/2333 0001/3333 0002/--0- 0002/--1- 0002/-02- 0002/-12- 0002/022- 0002/122- 0002/222-
0002/322- 0002/032- 0002/132- 0002/232- 0002/332- 0002/-03- 0002/-13- 0002/023- 0002/123- 0002/223- 0002/323- 0002/033-
0002/133- 0002/233- 0002/333- 0003/--0- 0003/--1- 0003/-02- 0003/-12- 0003/022- 0003/122- 0003/222- 0003/322- 0003/032-
0003/132- 0003/232- 0003/332- 0003/-03- 0003/-13- 0003/023- 0003/123- 0003/223- 0003/323- 0003/033- 0003/133- 0003/233-
0003/333- 0010/--00 0010/--01 0010/--02 0010/--03 0011/--00 0011/--01 0011/--02 0011/--03 0012/--0- 0013/--0- 001-/-01-
001-/-11- 001-/021- 001-/121- 001-/221- 001-/321- 001-/031- 001-/131- 001-/231- 001-/331- 001-/-02- 001-/-12- 001-/022-
001-/122- 001-/222- 001-/322- 001-/032- 001-/132- 001-/232- 001-/332- 001-/-03- 001-/-13- 001-/023- 001-/123- 001-/223-
001-/323- 001-/033- 001-/133- 001-/233- 001-/333- 002-/-0-- 002-/-1-- 002-/02-- 002-/12-- 002-/22-- 002-/32-- 002-/03--
002-/13-- 002-/23-- 002-/33-- 003-/-0-- 003-/-1-- 003-/02-- 003-/12-- 003-/22-- 003-/32-- 003-/03-- 003-/13-- 003-/23--
003-/33-- 0100/-0-0 0100/-0-1 0100/-002 0100/-012 0100/-022 0100/-032 0100/-003 0100/-013 0100/-023 0100/-033 0101/-0-0
0101/-001 0101/-011 0101/-021 0101/-031 0101/-002 0101/-012 0101/-022 0101/-032 0101/-003 0101/-013 0101/-023 0101/-033
0102/-00- 0102/-01- 0102/-02- 0102/-03- 0103/-00- 0103/-01- 0103/-02- 0103/-03- 0110/-000 0110/-001 0110/-002 0110/-003
0111/-000 0111/-001 0111/-002 0111/-003 0112/-00- 0113/-00- 011-/-01- 011-/-02- 011-/-03- 012-/-0-- 013-/-0-- 01--/01--
01--/11-- 01--/21-- 01--/31-- 01--/02-- 01--/12-- 01--/22-- 01--/32-- 01--/03-- 01--/13-- 01--/23-- 01--/33-- 02--/0---
02--/1--- 02--/2--- 02--/3--- 03--/0--- 03--/1--- 03--/2--- 03--/3--- 1000/0--0 1000/0--1 1000/0-02 1000/0-12 1000/0022
1000/0122 1000/0222 1000/0322 1000/0032 1000/0132 1000/0232 1000/0332 1000/0-03 1000/0-13 1000/0023 1000/0123 1000/0223
1000/0323 1000/0033 1000/0133 1000/0233 1000/0333 1001/0--0 1001/0-01 1001/0-11 1001/0021 1001/0121 1001/0221 1001/0321
1001/0031 1001/0131 1001/0231 1001/0331 1001/0-02 1001/0-12 1001/0022 1001/0122 1001/0222 1001/0322 1001/0032 1001/0132
1001/0232 1001/0332 1001/0-03 1001/0-13 1001/0023 1001/0123 1001/0223 1001/0323 1001/0033 1001/0133 1001/0233 1001/0333
1002/0-0- 1002/0-1- 1002/002- 1002/012- 1002/022- 1002/032- 1002/003- 1002/013- 1002/023- 1002/033- 1003/0-0- 1003/0-1-
1003/002- 1003/012- 1003/022- 1003/032- 1003/003- 1003/013- 1003/023- 1003/033- 1010/0-00 1010/0-01 1010/0-02 1010/0-03
1011/0-00 1011/0-01 1011/0-02 1011/0-03 1012/0-0- 1013/0-0- 101-/001- 101-/011- 101-/021- 101-/031- 101-/002- 101-/012-
101-/022- 101-/032- 101-/003- 101-/013- 101-/023- 101-/033- 102-/00-- 102-/01-- 102-/02-- 102-/03-- 103-/00-- 103-/01--
103-/02-- 103-/03-- 1100/00-0 1100/00-1 1100/0002 1100/0012 1100/0022 1100/0032 1100/0003 1100/0013 1100/0023 1100/0033
1101/00-0 1101/0001 1101/0011 1101/0021 1101/0031 1101/0002 1101/0012 1101/0022 1101/0032 1101/0003 1101/0013 1101/0023
1101/0033 1102/000- 1102/001- 1102/002- 1102/003- 1103/000- 1103/001- 1103/002- 1103/003- 1110/0000 1110/0001 1110/0002
1110/0003 1111/0000 1111/0001 1111/0002 1111/0003 1112/000- 1113/000- 111-/001- 111-/002- 111-/003- 112-/00-- 113-/00--
11--/01-- 11--/02-- 11--/03-- 12--/0--- 13--/0--- 1---/1--- 1---/2--- 1---/3--- 2---/---- 3---/----
"""


def published_paths(table: str) -> set[tuple[tuple[int | None, ...], tuple[int | None, ...]]]:
    def row(text: str) -> tuple[int | None, ...]:
        return tuple(None if ch == "-" else int(ch) for ch in text)

    tokens = table.split()
    paths = {(row(t.split("/")[0]), row(t.split("/")[1])) for t in tokens}
    assert len(paths) == len(tokens)
    return paths


def dartnk_paths(settings, k: int) -> list[tuple[tuple[int | None, ...], tuple[int | None, ...]]]:
    """Every complete path of the rule from level 1, as the same 2 x K matrices (cohort c's DLTs at each level)."""
    out = []

    def walk(counts, current, mat):
        d = next_decision(settings, [LevelCounts(*c) for c in counts], current)
        if d.done:
            out.append((tuple(mat[0]), tuple(mat[1])))
            return
        lv, m = d.level, d.n_patients
        assert m == 3 and counts[lv][0] in (0, 3)
        for x in range(m + 1):
            new = list(counts)
            new[lv] = (counts[lv][0] + m, counts[lv][1] + x)
            rows = [list(r) for r in mat]
            rows[counts[lv][0] // 3][lv] = x
            walk(tuple(new), lv, rows)

    walk(tuple((0, 0) for _ in range(k)), 0, [[None] * k, [None] * k])
    return out


def oc_from_paths(paths, tox: list[float]) -> tuple[list[float], list[float], dict[str, float]]:
    """Expected patients and DLTs per level and the law of N, from a path set and binomial cohort probabilities."""
    k = len(tox)
    pat, dlt, law = [0.0] * k, [0.0] * k, {}
    for rows in paths:
        prob, n = 1.0, 0
        for row in rows:
            for lv, x in enumerate(row):
                if x is not None:
                    prob *= binom(3, x, tox[lv])
        for row in rows:
            for lv, x in enumerate(row):
                if x is not None:
                    pat[lv] += 3 * prob
                    dlt[lv] += x * prob
                    n += 3
        law[str(n)] = law.get(str(n), 0.0) + prob
    return pat, dlt, law


@pytest.mark.parametrize("table,k", [(PRECAUTIONARY_T2, 2), (PRECAUTIONARY_T4, 4)])
def test_precautionary_path_set_equals_the_rule(protocol, table, k):
    s = settings_with(protocol.escalation, deescalate=True, expand_top_level=True)
    mine = dartnk_paths(s, k)
    assert len(mine) == len(set(mine))
    assert set(mine) == published_paths(table)


def test_precautionary_four_dose_path_count():
    # man/exact.Rd: "the above matrix is the 262nd of 442 such paths"; the matrix is one of them.
    paths = published_paths(PRECAUTIONARY_T4)
    assert len(paths) == 442
    assert ((0, 1, 2, None), (None, 0, None, None)) in paths


def test_precautionary_example_path_mtd(protocol):
    # The same help page says this path (0/3 at dose 1, 1/3 + 0/3 at dose 2, 2/3 at dose 3) ends with "MTD
    # declared as d=1". Under its own rule (6 patients required at the MTD) and under escalation's rule the MTD is
    # dose 2, which has 1/6; we take the page's "d=1" for a slip and keep dose 2 (0-based level 1).
    counts = [LevelCounts(3, 0), LevelCounts(6, 1), LevelCounts(3, 2), LevelCounts(0, 0)]
    for de in (True, False):
        d = next_decision(settings_with(protocol.escalation, deescalate=de), counts, current=2)
        assert d.done and d.level == 1


@pytest.mark.parametrize("table,tox", [(PRECAUTIONARY_T2, [0.1, 0.3]),
                                       (PRECAUTIONARY_T4, [0.05, 0.10, 0.20, 0.35]),
                                       (PRECAUTIONARY_T4, [0.30, 0.45, 0.60, 0.75])])
def test_dartnk_oc_matches_the_published_paths(table, tox):
    pat, dlt, law = oc_from_paths(published_paths(table), tox)
    assert sum(law.values()) == pytest.approx(1.0, abs=1e-12)
    out = oc_json(",".join(map(str, tox)), "deescalate=true", "expand_top_level=true")
    assert out["mean_patients"] == pytest.approx(pat, abs=1e-12)
    assert out["mean_dlts"] == pytest.approx(dlt, abs=1e-12)
    assert out["mean_n"] == pytest.approx(sum(pat), abs=1e-12)
    assert set(out["p_n"]) == {n for n, p in law.items() if p > 0}
    assert out["p_n"] == pytest.approx(law, abs=1e-12)


# -- R package precautionary (Norris), vignette "What priors are implicit in a given 3+3 design?" -----------------
# -- (vignettes/Implicit-priors.Rmd, commit 19312a2; the same text as arXiv:2012.05301), table "JvD": ----------------
# "Number of possible dose-escalation paths in the standard 3+3 design, as a function of the number D of
# prespecified doses", printed for D = 1..10. The vignette's design is Korn et al. (1994)'s "more common" variant
# (de-escalation, 6 patients required at the MTD). Every count is exact and they separate the variants: the rule
# without top expansion gives 7, 34, 118, ... and the rule without de-escalation 10, 25, 55, ..., so only
# deescalate=true with expand_top_level=true reproduces the printed row. Larger D extends the path-set check above
# (T2/T4 tables) from 4 to 10 doses.
PRECAUTIONARY_JVD = {1: 10, 2: 46, 3: 154, 4: 442, 5: 1162, 6: 2890, 7: 6922, 8: 16138, 9: 36874, 10: 82954}


@pytest.mark.parametrize("k,count", sorted(PRECAUTIONARY_JVD.items()))
def test_precautionary_path_count_per_number_of_doses(protocol, k, count):
    s = settings_with(protocol.escalation, deescalate=True, expand_top_level=True)
    paths = dartnk_paths(s, k)
    assert len(paths) == count
    assert len(set(paths)) == count


@pytest.mark.parametrize("deescalate,expand_top", [(True, False), (False, True), (False, False)])
def test_precautionary_path_counts_separate_the_variants(protocol, deescalate, expand_top):
    s = settings_with(protocol.escalation, deescalate=deescalate, expand_top_level=expand_top)
    assert [len(dartnk_paths(s, k)) for k in (2, 3, 4)] != [PRECAUTIONARY_JVD[k] for k in (2, 3, 4)]

