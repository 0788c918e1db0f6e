"""Programmes: versioned eligibility rules (AMO Tadamon, ASD) and the ASD entitlement calculator.

`rules` reads and checks the rules file; `amounts` decides each programme for a population and computes the ASD
amounts, and breaks one household's amount down line by line.
"""

from majal.registry.pmt.programmes.amounts import (
    CATEGORIES,
    CATEGORY_NOT_SCHOOLED,
    CATEGORY_WIDOW,
    CATEGORY_YOUNG_OR_SCHOOLED,
    AsdBreakdown,
    ChildLine,
    asd_amounts,
    breakdown,
    children,
    decide,
    widow_households,
)
from majal.registry.pmt.programmes.rules import (
    COMPARATORS,
    DEFAULT_RULES_PATH,
    FORMAT,
    FORMAT_VERSION,
    PROGRAMMES,
    AsdTable,
    EligibilityRule,
    NoRuleInForce,
    Rules,
    RuleSetError,
    default_rules,
    load_rules,
    parse_rules,
    year_reference_date,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_NOT_SCHOOLED",
    "CATEGORY_WIDOW",
    "CATEGORY_YOUNG_OR_SCHOOLED",
    "COMPARATORS",
    "DEFAULT_RULES_PATH",
    "FORMAT",
    "FORMAT_VERSION",
    "PROGRAMMES",
    "AsdBreakdown",
    "AsdTable",
    "ChildLine",
    "EligibilityRule",
    "NoRuleInForce",
    "RuleSetError",
    "Rules",
    "asd_amounts",
    "breakdown",
    "children",
    "decide",
    "default_rules",
    "load_rules",
    "parse_rules",
    "widow_households",
    "year_reference_date",
]
