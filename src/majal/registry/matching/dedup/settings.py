"""The Splink settings of a model: its comparisons and their levels, blocking rules and training options, as data
for the DuckDB backend or for Spark."""

from __future__ import annotations

from typing import Any

from majal.registry.matching.dedup.model import Model


def splink_settings(model: Model, dialect: str = "duckdb", *, link: bool = False) -> dict[str, Any]:
    """The Splink settings of `model` as a plain dict for `dialect` ("duckdb" or "spark"), before training."""
    return settings_creator(model, link=link).create_settings_dict(dialect)


def settings_creator(model: Model, *, link: bool) -> Any:
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        comparisons=_comparisons(model),
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in model.blocking],
        unique_id_column_name="unique_id",
        linker_uid="majal",
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=25,
        em_convergence=0.0001,
    )


def _comparisons(model: Model) -> list[Any]:
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    def close(part: str) -> Any:
        return cll.Or(cll.JaroWinklerLevel(f"{part}_norm", model.name_similarity),
                      cll.DamerauLevenshteinLevel(f"{part}_key", 1))

    # One comparison for the whole name, so that given and family names written the wrong way round count as much
    # as the right way round (the full-name key is order-insensitive), with term frequencies on each key.
    name_levels: list[Any] = [
        cll.NullLevel("full_key"),
        cll.ExactMatchLevel("full_key").configure(tf_adjustment_column="full_key",
                                                  label_for_charts="same name keys, in either order"),
        cll.Or(
            cll.And(cll.ExactMatchLevel("first_key"), close("last")),
            cll.And(cll.ExactMatchLevel("last_key"), close("first")),
            cll.CustomLevel(
                "(first_key_l = last_key_r and damerau_levenshtein(last_key_l, first_key_r) <= 1) or "
                "(last_key_l = first_key_r and damerau_levenshtein(first_key_l, last_key_r) <= 1)",
                base_dialect_str="duckdb"),
        ).configure(label_for_charts="one name key the same, the other close"),
        cll.ExactMatchLevel("last_key").configure(tf_adjustment_column="last_key",
                                                  label_for_charts="same family name key"),
        cll.ExactMatchLevel("first_key").configure(tf_adjustment_column="first_key",
                                                   label_for_charts="same given name key"),
        cll.And(close("first"), close("last")).configure(label_for_charts="both names close"),
        cll.ElseLevel(),
    ]
    comparisons = [CustomComparison(output_column_name="name", comparison_levels=name_levels)]
    for spec in model.fields:
        column = spec.column
        levels: list[Any]
        if spec.kind == "date":
            left, right = f"{column}_l", f"{column}_r"
            year_l, year_r = f"try_cast(substr({left}, 1, 4) as integer)", f"try_cast(substr({right}, 1, 4) as integer)"
            levels = [
                cll.NullLevel(column),
                # term frequencies: "1960-01-01", written when only the year was known, says less than a real date
                cll.ExactMatchLevel(column).configure(tf_adjustment_column=column),
                cll.DamerauLevenshteinLevel(column, 1),
                cll.CustomLevel(
                    f"substr({left}, 1, 4) = substr({right}, 1, 4) and substr({left}, 6, 2) = substr({right}, 9, 2) "
                    f"and substr({left}, 9, 2) = substr({right}, 6, 2)",
                    label_for_charts="day and month swapped", base_dialect_str="duckdb"),
                cll.CustomLevel(f"substr({left}, 1, 4) = substr({right}, 1, 4)", label_for_charts="same year",
                                base_dialect_str="duckdb"),
                cll.CustomLevel(f"abs({year_l} - {year_r}) <= 1", label_for_charts="a year apart",
                                base_dialect_str="duckdb"),
                cll.ElseLevel(),
            ]
        elif spec.kind == "text":
            levels = [
                cll.NullLevel(column),
                _exact(cll, column, spec.term_frequency),
                cll.JaroWinklerLevel(column, 0.92),
                cll.JaroWinklerLevel(column, 0.8),
                cll.ElseLevel(),
            ]
        elif spec.kind == "code":
            levels = [
                cll.NullLevel(column),
                _exact(cll, column, spec.term_frequency),
                cll.DamerauLevenshteinLevel(column, 1),
                cll.ElseLevel(),
            ]
        elif spec.kind == "national_id":
            levels = [
                cll.CustomLevel("(idcs_l is null or idcs_r is null) and (cnie_l is null or cnie_r is null)",
                                base_dialect_str="duckdb").configure(is_null_level=True),
                # Set, not estimated: random sampling never draws two records with one identifier, and these rare
                # but decisive agreements pull expectation maximisation into taking them for the only matches.
                cll.CustomLevel("idcs_l = idcs_r or cnie_l = cnie_r", label_for_charts="same IDCS or CNIE",
                                base_dialect_str="duckdb").configure(**_fixed(0.99, 1e-8)),
                cll.ElseLevel().configure(**_fixed(0.01, 1.0 - 1e-8)),
            ]
        elif spec.kind == "phone":  # households share a phone, but a random pair almost never does
            levels = [cll.NullLevel(column),
                      cll.ExactMatchLevel(column).configure(**_fixed(0.8, 1e-6)),
                      cll.ElseLevel().configure(**_fixed(0.2, 1.0 - 1e-6))]
        elif spec.kind == "sex":
            # Set, not estimated: given names already tell the sex, so among records whose names agree, two different
            # people share a sex too (u 0.99, not 0.5).  Agreeing then weighs nothing and disagreeing weighs against,
            # and expectation maximisation is not pulled towards "every same-sex pair is a match".
            levels = [cll.NullLevel(column), cll.ExactMatchLevel(column).configure(**_fixed(0.999, 0.99)),
                      cll.ElseLevel().configure(**_fixed(0.001, 0.01))]
        else:  # exact, place
            levels = [cll.NullLevel(column), _exact(cll, column, spec.term_frequency), cll.ElseLevel()]
        comparisons.append(CustomComparison(output_column_name=column, comparison_levels=levels))
    return comparisons


def _fixed(m: float, u: float) -> dict[str, Any]:
    return {"m_probability": m, "u_probability": u, "fix_m_probability": True, "fix_u_probability": True}


def _exact(cll: Any, column: str, term_frequency: bool) -> Any:
    level = cll.ExactMatchLevel(column)
    return level.configure(tf_adjustment_column=column) if term_frequency else level
