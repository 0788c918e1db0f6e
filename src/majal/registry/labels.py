"""Words shown for the registry's codes and fields (translated where they are shown)."""

from __future__ import annotations

from majal.kit.i18n import N_, gettext

PROGRAMME_NAMES = {"amo_tadamon": N_("AMO Tadamon"), "asd": N_("Direct social support (ASD)")}
CATEGORY_LABELS = {
    "young_or_schooled": N_("under 6, or at school"),
    "not_schooled": N_("6 or older, not at school"),
    "widow": N_("child of a widow without a pension"),
}
VALUE_LABELS = {
    "urban": N_("urban"), "rural": N_("rural"),
    "F": N_("woman"), "M": N_("man"),
    "head": N_("head of household"), "spouse": N_("spouse"), "child": N_("child"), "grandchild": N_("grandchild"),
    "parent": N_("parent"), "other_relative": N_("other relative"), "non_relative": N_("not related"),
    "none": N_("none"), "primary": N_("primary"), "secondary": N_("secondary"), "higher": N_("higher"),
    "public": N_("public school"), "private": N_("private school"),
    "employee": N_("employee"), "self_employed": N_("self-employed"), "employer": N_("employer"),
    "labourer": N_("labourer"), "farmer": N_("farmer"), "unemployed": N_("unemployed"), "student": N_("student"),
    "homemaker": N_("homemaker"), "retired": N_("retired"), "inactive": N_("inactive"),
    "single": N_("single"), "married": N_("married"), "widowed": N_("widowed"), "divorced": N_("divorced"),
    "villa": N_("villa"), "apartment": N_("apartment"), "modern_house": N_("modern house"),
    "traditional_house": N_("traditional house"), "rudimentary": N_("rudimentary dwelling"),
    "rural_house": N_("rural house"), "other": N_("other"),
    "draft": N_("draft"), "approved": N_("approved"), "paid": N_("paid"), "cancelled": N_("cancelled"),
    "open": N_("open"), "closed": N_("closed"),
    "computed": N_("computed"), "corrected": N_("corrected"),
}
FIELD_LABELS = {
    "milieu": N_("Milieu"), "region": N_("Region"), "commune": N_("Commune"), "district": N_("District"),
    "address": N_("Address"), "rooms": N_("Rooms"), "dwelling": N_("Dwelling"), "owner": N_("Owns the dwelling"),
    "electricity": N_("Electricity"), "piped_water": N_("Tap water inside"), "sewer": N_("Public sewer"),
    "toilet": N_("Flush toilet"), "bathroom": N_("Shower or bath"), "kitchen": N_("Separate kitchen"),
    "phones": N_("Mobile phones"), "cars": N_("Cars"), "motorcycles": N_("Motorcycles"), "cows": N_("Cattle"),
    "laptop": N_("Computer"), "fridge": N_("Fridge"), "washing_machine": N_("Washing machine"),
    "internet": N_("Home internet"), "land_ha": N_("Farm land (ha)"),
    "spend_butane": N_("Butane spending (MAD a year)"),
    "spend_water_electricity": N_("Water and electricity spending (MAD a year)"),
    "spend_telecom": N_("Telecom spending (MAD a year)"),
    "sex": N_("Sex"), "birth_date": N_("Birth date"), "relation": N_("Relation to the head"),
    "education": N_("Education"), "diploma": N_("Diploma"), "schooling": N_("Schooling"),
    "occupation": N_("Occupation"), "disability": N_("Disability"), "marital_status": N_("Marital status"),
    "pension": N_("Pension"), "first_name_ar": N_("First name (Arabic)"), "last_name_ar": N_("Last name (Arabic)"),
    "first_name_latin": N_("First name (Latin)"), "last_name_latin": N_("Last name (Latin)"),
    "verified_at": N_("Verified"), "review": N_("Review"),
}


def value_label(value: object) -> str:
    if isinstance(value, bool):
        return gettext(N_("yes")) if value else gettext(N_("no"))
    if value in ("true", "false"):
        return gettext(N_("yes")) if value == "true" else gettext(N_("no"))
    text = "" if value is None else str(value)
    return gettext(VALUE_LABELS[text]) if text in VALUE_LABELS else text


def field_label(name: str) -> str:
    return gettext(FIELD_LABELS[name]) if name in FIELD_LABELS else name
