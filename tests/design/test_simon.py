"""Simon two-stage designs against Simon (Control Clin Trials 1989;10:1–10, Tables 1–2) and clinfun."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dartnk.design.simon import design_characteristics, reject_probability, simon_designs
from dartnk.errors import InputError

# (p0, p1, alpha, beta): optimal (r1, n1, r, n, EN, PET), minimax (...), to the precision printed.
# Simon 1989 Table 1 (p1 − p0 = 0.20) and Table 2 (p1 − p0 = 0.15).
SIMON_1989 = [
    ((0.05, 0.25, 0.05, 0.20), (0, 9, 2, 17, 12.0, 0.63), (0, 12, 2, 16, 13.8, 0.54)),
    ((0.10, 0.30, 0.05, 0.20), (1, 10, 5, 29, 15.0, 0.74), (1, 15, 5, 25, 19.5, 0.55)),
    ((0.10, 0.30, 0.05, 0.10), (2, 18, 6, 35, 22.5, 0.73), (2, 22, 6, 33, 26.2, 0.62)),
    ((0.20, 0.40, 0.05, 0.20), (3, 13, 12, 43, 20.6, 0.75), (4, 18, 10, 33, 22.3, 0.72)),
    ((0.30, 0.50, 0.05, 0.20), (5, 15, 18, 46, 23.6, 0.72), (6, 19, 16, 39, 25.7, 0.67)),
    ((0.05, 0.20, 0.05, 0.20), (0, 10, 3, 29, 17.6, 0.60), (0, 13, 3, 27, 19.8, 0.51)),
    ((0.10, 0.25, 0.05, 0.20), (2, 18, 7, 43, 24.7, 0.73), (2, 22, 7, 40, 28.8, 0.62)),
    ((0.20, 0.35, 0.05, 0.20), (5, 22, 19, 72, 35.4, 0.73), (6, 31, 15, 53, 40.4, 0.57)),
]


def _row(d):
    return (d.r1, d.n1, d.r, d.n, round(d.en_p0, 1), round(d.pet_p0, 2))


@pytest.mark.parametrize("args,optimal,minimax", SIMON_1989)
def test_simon_1989_tables(args, optimal, minimax):
    result = simon_designs(*args)
    assert _row(result.optimal) == optimal
    assert _row(result.minimax) == minimax


def test_clinfun_ph2simon_optimal_beyond_100_patients():
    # clinfun::ph2simon(0.2, 0.35, 0.05, 0.05, nmax = 150) (package documentation):
    # Minimax 15/68, 25/95, EN 75.44, PET 0.7244; Optimal 11/50, 28/109, EN 67.07, PET 0.7107
    result = simon_designs(0.2, 0.35, 0.05, 0.05)
    o, m = result.optimal, result.minimax
    assert (o.r1, o.n1, o.r, o.n, round(o.en_p0, 2), round(o.pet_p0, 4)) == (11, 50, 28, 109, 67.07, 0.7107)
    assert (m.r1, m.n1, m.r, m.n, round(m.en_p0, 2), round(m.pet_p0, 4)) == (15, 68, 25, 95, 75.44, 0.7244)
    assert result.max_n_searched > 109


def test_clinfun_ph2simon_alpha_beta_ten_percent():
    # clinfun::ph2simon(0.2, 0.4, 0.1, 0.1): Minimax 3/19, 10/36, EN 28.26, PET 0.4551;
    # Optimal 3/17, 10/37, EN 26.02, PET 0.5489
    r = simon_designs(0.2, 0.4, 0.1, 0.1)
    assert (r.minimax.r1, r.minimax.n1, r.minimax.r, r.minimax.n, round(r.minimax.en_p0, 2)) == (3, 19, 10, 36, 28.26)
    assert (r.optimal.r1, r.optimal.n1, r.optimal.r, r.optimal.n, round(r.optimal.en_p0, 2)) == (3, 17, 10, 37, 26.02)


def _brute_force(p0, p1, alpha, beta, n_max):
    best = None
    for n in range(2, n_max + 1):
        for n1 in range(1, n):
            for r1 in range(n1):
                for r in range(r1, n):
                    d = design_characteristics(r1, n1, r, n, p0, p1)
                    if d.alpha <= alpha + 1e-12 and d.power >= 1 - beta - 1e-12:
                        if best is None or d.en_p0 < best.en_p0 - 1e-12:
                            best = d
    return best


def test_optimal_matches_brute_force_small_case():
    result = simon_designs(0.3, 0.7, 0.1, 0.2)
    brute = _brute_force(0.3, 0.7, 0.1, 0.2, result.optimal.n + 4)
    assert result.optimal.en_p0 == pytest.approx(brute.en_p0, abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(p0=st.sampled_from([0.05, 0.1, 0.2, 0.3, 0.4, 0.5]), delta=st.sampled_from([0.2, 0.25, 0.3]),
       alpha=st.sampled_from([0.05, 0.1]), beta=st.sampled_from([0.1, 0.2]))
def test_designs_meet_their_error_rates(p0, delta, alpha, beta):
    r = simon_designs(p0, p0 + delta, alpha, beta)
    for d in (r.optimal, r.minimax):
        assert d.alpha <= alpha + 1e-12 and d.power >= 1 - beta - 1e-12
        assert 0 <= d.r1 < d.n1 < d.n and d.r1 <= d.r < d.n
    assert r.minimax.n <= r.optimal.n and r.optimal.en_p0 <= r.minimax.en_p0 + 1e-12
    # no smaller total n is admissible (minimax), checked exhaustively one below
    n = r.minimax.n - 1
    if n >= 2:
        for n1, r1 in itertools.product(range(1, n), range(0, n)):
            if r1 >= n1:
                continue
            ok = [reject_probability(r1, n1, rr, n, p0) <= alpha + 1e-12 and
                  reject_probability(r1, n1, rr, n, p0 + delta) >= 1 - beta - 1e-12 for rr in range(r1, n)]
            assert not any(ok)


def test_single_stage_bound_is_a_lower_bound():
    from dartnk.design.simon import _randomised_single_stage_n

    for args in [a for a, _, _ in SIMON_1989]:
        bound = _randomised_single_stage_n(*args)
        result = simon_designs(*args)
        assert bound <= result.minimax.n and result.optimal_search_complete


def test_too_small_a_difference_is_a_user_error():
    with pytest.raises(InputError) as err:
        simon_designs(0.1, 0.11)
    assert err.value.field_path == "p1" and "500" in str(err.value)


@pytest.mark.parametrize("kwargs,field", [
    ({"p0": 0.3, "p1": 0.2}, "p1"), ({"p0": 0.0, "p1": 0.2}, "p0"), ({"p0": 0.1, "p1": 0.3, "alpha": 1.2}, "alpha"),
])
def test_bad_inputs(kwargs, field):
    with pytest.raises(InputError) as err:
        simon_designs(**kwargs)
    assert err.value.field_path == field
