"""Scenario YAML: every shipped scenario validates; mistakes name the field."""

from __future__ import annotations

import pytest
import yaml

from dartnk.errors import InputError
from dartnk.sim.scenario import SHIPPED_ORDER, correlation_matrix, parse_scenario, shipped_names, shipped_scenario


def test_every_named_scenario_is_shipped(protocol):
    assert shipped_names() == list(SHIPPED_ORDER)
    for n in SHIPPED_ORDER:
        s = shipped_scenario(n, protocol)
        assert s.name == n and s.title and s.best_definition


def test_default_antigen_marginals(scenarios):
    prev = scenarios["default"].antigens.prevalence
    assert 0.80 <= prev["DLL3"] <= 0.90 and prev["CD56"] >= 0.9 and prev["GD2"] == pytest.approx(0.40)
    assert scenarios["gd2-rare"].antigens.prevalence["GD2"] < prev["GD2"]


def _text(protocol, mutate):
    from importlib import resources

    data = yaml.safe_load(resources.files("dartnk.sim").joinpath("scenarios", "default.yaml").read_text())
    mutate(data)
    return yaml.safe_dump(data)


@pytest.mark.parametrize("mutate,field", [
    (lambda d: d["constructs"].pop("DLL3-GD2"), "constructs.DLL3-GD2"),
    (lambda d: d["constructs"]["DLL3-GD2"]["dlt"].pop("DL3"), "constructs.DLL3-GD2.dlt.DL3"),
    (lambda d: d["constructs"]["DLL3-GD2"]["dlt"].update({"DL9": 0.1}), "constructs.DLL3-GD2.dlt.DL9"),
    (lambda d: d["constructs"]["DLL3-GD2"]["dlt"].update({"DL2": 1.5}), "constructs.DLL3-GD2"),
    (lambda d: d["antigens"]["prevalence"].update({"GD2": -0.1}), "antigens"),
    (lambda d: d["antigens"]["prevalence"].pop("CD56"), "antigens.prevalence.CD56"),
    (lambda d: d["antigens"].update({"pair_correlation": {"DLL3~XYZ": 0.2}}), "antigens.pair_correlation.DLL3~XYZ"),
    (lambda d: d["accrual"].update({"patients_per_month": 0}), "accrual.patients_per_month"),
    (lambda d: d.update({"colour": "red"}), "colour"),
    (lambda d: d.update({"best_construct": "CD19"}), "best_construct"),
    (lambda d: d["constructs"]["CD56-GD2"].update({"crs_grade": [0.5, 0.5, 0.5, 0, 0]}), "constructs.CD56-GD2"),
])
def test_mistakes_name_the_field(protocol, mutate, field):
    with pytest.raises(InputError) as info:
        parse_scenario(_text(protocol, mutate), protocol, "my.yaml")
    assert info.value.field_path.startswith(field), str(info.value)


def test_bad_yaml_names_the_file(protocol):
    with pytest.raises(InputError, match="my.yaml: valid YAML"):
        parse_scenario("a: [1, 2\n", protocol, "my.yaml")
    with pytest.raises(InputError, match="a YAML mapping"):
        parse_scenario("- 1\n", protocol, "my.yaml")


def test_unknown_shipped_name(protocol):
    with pytest.raises(InputError, match="--scenario"):
        shipped_scenario("nope", protocol)


def test_inconsistent_correlations_are_rejected(protocol):
    def mutate(d):
        d["antigens"]["pair_correlation"] = {"DLL3~CD56": 0.95, "DLL3~GD2": 0.95, "CD56~GD2": -0.95}
    with pytest.raises(InputError, match="positive definite"):
        parse_scenario(_text(protocol, mutate), protocol, "x")


def test_correlation_matrix_uses_pairs(scenarios):
    s = scenarios["default"].model_copy(update={"antigens": scenarios["default"].antigens.model_copy(
        update={"pair_correlation": {"DLL3~GD2": 0.1}})})
    r = correlation_matrix(s, ["DLL3", "CD56", "GD2"])
    assert r[0, 2] == r[2, 0] == 0.1 and r[0, 1] == 0.3 and r[1, 1] == 1.0
