"""``dartnk stats binomial|km`` end to end (a real process)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


def _one_error_line(r):
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.stderr
    return lines[0]


def test_binomial_json():
    # R: binom.test(5, 20)$conf.int → 0.08657147 0.49104587
    r = run_cli("stats", "binomial", "--x", "5", "--n", "20", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["estimate"] == 0.25 and out["method"] == "clopper-pearson"
    assert round(out["lower"], 8) == 0.08657147 and round(out["upper"], 8) == 0.49104587
    post = out["posterior"]
    assert post["prior_a"] == 0.5 and post["threshold"] == 0.1 and 0.97 < post["p_above"] < 0.98


def test_binomial_text_and_methods():
    r = run_cli("stats", "binomial", "--x", "0", "--n", "10", "--method", "jeffreys", "--threshold", "0.3",
                "--prior-a", "1", "--prior-b", "1")
    assert r.returncode == 0 and "jeffreys interval [0.0000" in r.stdout and "P(rate > 0.3)" in r.stdout


@pytest.mark.parametrize("args,field", [
    (["--x", "21", "--n", "20"], "--x"), (["--x", "1", "--n", "20", "--conf", "95"], "--conf"),
    (["--x", "1", "--n", "20", "--method", "exact"], "--method"),
])
def test_binomial_bad_input(args, field):
    assert _one_error_line(run_cli("stats", "binomial", *args)).startswith(f"error: {field}:")


def test_binomial_non_integer_is_usage_error():
    r = run_cli("stats", "binomial", "--x", "two", "--n", "20")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_km_gehan_json():
    # R survival: survfit(Surv(time, cens) ~ treat, data = MASS::gehan): medians 23 (16, NA), 8 (4, 12);
    # survdiff Chisq = 16.8 on 1 df, p = 4.17e-05
    r = run_cli("stats", "km", "examples/km-gehan-6mp.csv", "--time", "weeks", "--event", "relapse",
                "--group", "treatment", "--at", "10,23", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["groups"]["6-MP"]["median"] == 23 and out["groups"]["6-MP"]["median_ci"] == [16, None]
    assert out["groups"]["control"]["median_ci"] == [4, 12]
    assert round(out["groups"]["6-MP"]["survival_at"]["10"]["s"], 3) == 0.753
    assert set(out["logrank"]) == {"chi2", "df", "p"} and round(out["logrank"]["chi2"], 1) == 16.8


def test_km_stdin_log_log_text():
    text = open("examples/km-aml.csv").read()
    r = run_cli("stats", "km", "-", "--time", "weeks", "--event", "status", "--group", "x", "--ci", "log-log", input=text)
    assert r.returncode == 0, r.stderr
    assert "Maintained: n=11 events=7 median=31" in r.stdout and "log-rank: chi2 = 3.396" in r.stdout


@pytest.mark.parametrize("args,start", [
    (["--time", "week", "--event", "status"], "error: --time: a column of the CSV"),
    (["--time", "weeks", "--event", "status", "--group", "arm"], "error: --group"),
    (["--time", "weeks", "--event", "status", "--ci", "plain"], "error: --ci"),
    (["--time", "weeks", "--event", "status", "--at", "1,x"], "error: --at"),
])
def test_km_bad_input(args, start):
    assert _one_error_line(run_cli("stats", "km", "examples/km-aml.csv", *args)).startswith(start)


def test_km_bad_cell_names_column_and_row():
    r = run_cli("stats", "km", "-", "--time", "t", "--event", "e", input="t,e\n3,1\n4,yes\n")
    assert _one_error_line(r).startswith("error: e (row 3): 1 (event) or 0 (censored)")
    r = run_cli("stats", "km", "missing.csv", "--time", "t", "--event", "e")
    assert _one_error_line(r).startswith("error: FILE")
