"""The PMT model file, the index against a hand computation, explanations, and fitting known coefficients back."""

from __future__ import annotations

import copy
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from majal.registry.pmt import data, fitting, model_file, scoring, synth
from tests.registry.builders import child, household, member, population

AS_OF = date(2025, 12, 31)
ALL = ["urban", "rural"]


def small_model() -> dict[str, Any]:
    """A model using every kind of derivation, small enough to score by hand."""
    regions_urban = dict.fromkeys(data.REGIONS, 0.0) | {"MA-06": 0.1}
    regions_rural = dict.fromkeys(data.REGIONS, 0.0) | {"MA-07": -0.05}
    return {
        "format": "majal-pmt", "format_version": 1,
        "versions": [{
            "version": "HAND-1", "effective_from": "2020-01-01", "effective_to": None,
            "rounding": {"decimals": 7, "mode": "half_away_from_zero"},
            "variables": [
                {"name": "size", "milieux": ALL, "expr": {"count": True}},
                {"name": "size_sq", "milieux": ["urban"], "expr": {"pow": [{"var": "size"}, 2]}},
                {"name": "head_age", "milieux": ALL, "expr": {"head": {"col": "age"}}},
                {"name": "adults_diploma", "milieux": ALL,
                 "expr": {"share": {"col": "diploma"}, "among": {"ge": ["age", 15]}}},
                {"name": "kids_school", "milieux": ["rural"], "expr": {"count": {"and": [
                    {"between": ["age", 6, 20]}, {"not": {"is": ["schooling", ["none"]]}}]}}},
                {"name": "ppr", "milieux": ALL, "expr": {"div": [{"var": "size"}, {"col": "rooms"}]}},
                {"name": "villa", "milieux": ["urban"], "expr": {"is": ["dwelling", ["villa", "apartment"]]}},
                {"name": "cars", "milieux": ALL, "expr": {"col": "cars"}},
                {"name": "pc_tel", "milieux": ["urban"],
                 "expr": {"ln1p": {"div": [{"col": "spend_telecom"}, {"var": "size"}]}}},
                {"name": "head_female", "milieux": ["rural"], "expr": {"head": {"is": ["sex", ["F"]]}}},
            ],
            "milieux": {
                "urban": {"constant": 9.825, "region_effects": regions_urban, "coefficients": {
                    "size": -0.2, "size_sq": 0.01, "head_age": 0.003, "adults_diploma": 0.3, "ppr": -0.05,
                    "villa": 0.21, "cars": 0.15, "pc_tel": 0.05}},
                "rural": {"constant": 8.695, "region_effects": regions_rural, "coefficients": {
                    "size": -0.15, "head_age": 0.002, "adults_diploma": 0.25, "kids_school": -0.02, "ppr": -0.04,
                    "cars": 0.1, "head_female": -0.03}},
            },
        }],
    }


def hand_population() -> data.Population:
    households = [
        household(household_id=1, milieu="urban", region="MA-06", rooms=3, dwelling="apartment", cars=1,
                  spend_telecom=2400.0),
        household(household_id=2, milieu="rural", region="MA-07", rooms=2, dwelling="rural_house", cars=0),
    ]
    members = [
        member(household_id=1, birth_date=date(1980, 6, 15), diploma=True),  # head, 45
        member(household_id=1, relation="spouse", sex="F", birth_date=date(1985, 1, 1), diploma=False),  # 40
        child(1, date(2012, 3, 1)),  # 13, public school
        child(1, date(2008, 7, 20), diploma=True),  # 17
        member(household_id=2, sex="F", marital_status="widowed", birth_date=date(1970, 2, 10)),  # head, 55
        child(2, date(2015, 5, 5)),  # 10, public school
        child(2, date(2004, 9, 9), schooling="none", diploma=True),  # 21
        child(2, date(2020, 1, 1), schooling="none", relation="grandchild"),  # 5
    ]
    return population(households, members, AS_OF)


def test_scores_match_a_hand_computation() -> None:
    version = model_file.parse_model(small_model()).at(AS_OF)
    result = scoring.score_population(hand_population(), version, explain=0)
    # urban: 4 members, head 45, 2 of the 3 aged 15+ with a diploma, 4/3 per room, apartment, 1 car,
    # telecom 2400 MAD / 4 persons, Casablanca-Settat
    urban = (9.825 - 0.2 * 4 + 0.01 * 16 + 0.003 * 45 + 0.3 * (2 / 3) - 0.05 * (4 / 3) + 0.21 + 0.15
             + 0.05 * math.log(1 + 600) + 0.1)
    # rural: 4 members, head 55 (a woman), 1 of the 2 aged 15+ with a diploma, 1 child of 6–20 at school,
    # 2 per room, no car, Marrakech-Safi
    rural = 8.695 - 0.15 * 4 + 0.002 * 55 + 0.25 * 0.5 - 0.02 * 1 - 0.04 * 2 + 0 - 0.03 - 0.05
    assert result.get_column("household_id").to_list() == [1, 2]
    assert result.get_column("score").to_list() == [round(urban, 7), round(rural, 7)]
    assert result.get_column("score").to_list() == [10.2332631, 8.15]
    assert set(result.get_column("model_version").cast(str)) == {"HAND-1"}


def test_the_score_function_checks_plain_tables() -> None:
    pop = hand_population()
    direct = scoring.score(pop.households, pop.members, model_file.parse_model(small_model()), as_of=AS_OF, explain=0)
    assert direct.get_column("score").to_list() == [10.2332631, 8.15]


def test_drivers_are_the_largest_contributions_from_the_mean() -> None:
    model = small_model()
    model["versions"][0]["milieux"]["urban"]["means"] = {"size": 4.0, "size_sq": 16.0, "head_age": 45.0,
                                                          "pc_tel": math.log(601)}
    version = model_file.parse_model(model).at(AS_OF)
    result = scoring.score_population(hand_population(), version, explain=3).row(0, named=True)
    # from the mean: size, size², age and telecom contribute 0; then villa 0.21, adults_diploma 0.2, cars 0.15
    assert [result["driver_1"], result["driver_2"], result["driver_3"]] == ["villa", "adults_diploma", "cars"]
    assert [result["driver_1_effect"], result["driver_2_effect"], result["driver_3_effect"]] == [0.21, 0.2, 0.15]


def test_groups_add_their_variables() -> None:
    model = small_model()
    for variable in model["versions"][0]["variables"]:
        if variable["name"] in ("size", "size_sq", "ppr"):
            variable["group"] = "household_size"
    version = model_file.parse_model(model).at(AS_OF)
    row = scoring.score_population(hand_population(), version, explain=1).row(0, named=True)
    assert row["driver_1"] == "household_size"
    assert row["driver_1_effect"] == round(-0.8 + 0.16 - 0.05 * 4 / 3, 4)


def test_the_shipped_model_has_the_published_shape() -> None:
    version = model_file.default_model().at(date(2026, 1, 1))
    assert len(version.variables_of("urban")) == 35
    assert len(version.variables_of("rural")) == 28
    assert version.milieux["urban"].constant == 9.825
    assert version.milieux["rural"].constant == 8.695
    assert set(version.milieux["urban"].region_effects) == set(data.REGIONS)
    assert version.milieux["rural"].region_effects["MA-08"] == 0.0
    assert (version.rounding_decimals, version.rounding_mode) == (7, "half_away_from_zero")


def test_the_shipped_model_is_the_fit_on_the_demo_survey() -> None:
    assert model_file.DEFAULT_MODEL_PATH.read_text(encoding="utf-8") == synth.build_default_model()


# --- fitting --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def survey() -> synth.Survey:
    return synth.generate(6000, 11)


def test_fit_recovers_the_coefficients_the_data_came_from(survey: synth.Survey) -> None:
    truth = synth.truth_model().versions[0]
    consumption = data.align_consumption(survey.population, survey.consumption)
    result = fitting.fit(survey.population, consumption, truth, version="T", effective_from=date(2024, 1, 1))
    for milieu in data.MILIEUX:
        fitted, true = result.version.milieux[milieu], truth.milieux[milieu]
        errors = result.stats[milieu]["standard_errors"]
        misses = {name: (value, true.coefficients[name], errors[name]) for name, value in fitted.coefficients.items()
                  if abs(value - true.coefficients[name]) > 4 * errors[name]}
        assert not misses, f"{milieu}: (fitted, true, standard error) {misses}"
        assert abs(fitted.constant - true.constant) < 4 * errors["constant"]
        for region, effect in fitted.region_effects.items():
            if region != "MA-08":
                assert abs(effect - true.region_effects[region]) < 4 * errors[f"region:{region}"] + 1e-9
        # the noise is N(0, σ): the residual standard error finds σ again
        assert result.stats[milieu]["residual_se"] == pytest.approx(synth.NOISE_SD[milieu], abs=0.02)
        assert 0.5 < result.stats[milieu]["r2"] < 0.9


def test_fit_with_held_constants(survey: synth.Survey) -> None:
    truth = synth.truth_model().versions[0]
    consumption = data.align_consumption(survey.population, survey.consumption)
    result = fitting.fit(survey.population, consumption, truth, version="T", effective_from=date(2024, 1, 1),
                         fixed_constants={"urban": 9.825, "rural": 8.695})
    assert result.version.milieux["urban"].constant == 9.825
    assert result.stats["urban"]["constant_fixed"] is True
    fitted = result.version.milieux["urban"].coefficients
    assert fitted["hh_size"] == pytest.approx(truth.milieux["urban"].coefficients["hh_size"], abs=0.05)
    # the fitted model is a valid model file, and scores close to the truth's means
    again = model_file.parse_model(json.loads(model_file.model_to_json([result.version]))).versions[0]
    scores = scoring.score_population(survey.population, again, explain=0).get_column("score").to_numpy()
    assert np.corrcoef(scores, np.log(consumption))[0, 1] > 0.75


def test_fit_survey_from_plain_tables(survey: synth.Survey) -> None:
    result = fitting.fit_survey(survey.households, survey.members, survey.consumption, as_of=date(2024, 1, 1),
                                version="PLAIN-1", effective_from=date(2024, 1, 1))
    assert result.version.version == "PLAIN-1"
    assert len(result.version.variables_of("urban")) == 35 and result.stats["rural"]["n"] > 1000


def test_fit_refuses_a_variable_without_variation(survey: synth.Survey) -> None:
    truth = copy.deepcopy(small_model())
    truth["versions"][0]["variables"].append({"name": "constant_one", "milieux": ["urban"], "expr": 1})
    truth["versions"][0]["milieux"]["urban"]["coefficients"]["constant_one"] = 0.0
    version = model_file.parse_model(truth).versions[0]
    consumption = data.align_consumption(survey.population, survey.consumption)
    with pytest.raises(fitting.FitError) as caught:
        fitting.fit(survey.population, consumption, version, version="T", effective_from=date(2024, 1, 1))
    assert "“constant_one” takes the same value" in str(caught.value)


# --- model files ----------------------------------------------------------------------------------------------------


def refused(model: dict[str, Any]) -> str:
    with pytest.raises(model_file.ModelFileError) as caught:
        model_file.parse_model(model, "m.json")
    return str(caught.value)


def test_a_missing_coefficient_is_refused() -> None:
    model = small_model()
    del model["versions"][0]["milieux"]["rural"]["coefficients"]["kids_school"]
    assert refused(model) == ("m.json: versions[0].milieux.rural.coefficients: "
                              "The coefficient of “kids_school” is missing.")


def test_a_missing_region_effect_is_refused() -> None:
    model = small_model()
    del model["versions"][0]["milieux"]["urban"]["region_effects"]["MA-11"]
    assert "The region effect of “MA-11” is missing." in refused(model)


def test_an_unknown_region_in_a_model_is_refused() -> None:
    model = small_model()
    model["versions"][0]["milieux"]["urban"]["region_effects"]["MA-13"] = 0.1
    assert refused(model) == "m.json: versions[0].milieux.urban.region_effects.MA-13: Unknown region “MA-13”."


def test_a_coefficient_of_another_milieu_is_refused() -> None:
    model = small_model()
    model["versions"][0]["milieux"]["rural"]["coefficients"]["villa"] = 0.1
    assert "“villa” is not a variable of this milieu." in refused(model)


def test_overlapping_effective_dates_are_refused() -> None:
    model = small_model()
    second = copy.deepcopy(model["versions"][0])
    second.update(version="HAND-2", effective_from="2024-06-01")
    model["versions"][0]["effective_to"] = "2024-12-31"
    model["versions"].append(second)
    assert refused(model) == ("m.json: versions: The effective dates of “HAND-2” overlap those of “HAND-1”.")
    model["versions"][0]["effective_to"] = "2024-05-31"
    parsed = model_file.parse_model(model)
    assert parsed.at(date(2024, 5, 31)).version == "HAND-1"
    assert parsed.at(date(2024, 6, 1)).version == "HAND-2"
    with pytest.raises(model_file.NoModelInForce):
        parsed.at(date(2019, 12, 31))


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ({"col": "salary"}, "Unknown column “salary”"),
        ({"is": ["dwelling", ["castle"]]}, "Unknown value “castle”"),
        ({"var": "later"}, "“later” is not a variable defined earlier in the list."),
        ({"count": {"col": "age"}}, "Expected a condition (true or false), not a number."),
        ({"share": {"col": "diploma"}}, "“share” needs “among”"),
        ({"sqrt": 2}, "Expected one of these operations"),
        ({"div": [1]}, "Expected a list of 2 expressions."),
        ({"col": "milieu"}, "The column “milieu” cannot be used here."),
    ],
)
def test_bad_derivations_are_refused_with_their_path(expr: Any, message: str) -> None:
    model = small_model()
    model["versions"][0]["variables"][1]["expr"] = expr
    text = refused(model)
    assert text.startswith("m.json: versions[0].variables[1].expr")
    assert message in text


def test_a_model_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text('{"format": "majal-pmt",\n  "versions": [}')
    with pytest.raises(model_file.ModelFileError) as caught:
        model_file.load_model(path)
    assert "Malformed JSON at line 2" in str(caught.value)
