"""Importing a person list: every row of the persons CSV checked first, national ids sealed beside keyed digests
like members' (`registry.service.idcs_digest`), then stored whole, or refused with nothing written."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from majal.kit import audit, crypto
from majal.kit.errors import Conflict, MajalError
from majal.kit.i18n import N_
from majal.registry.matching import dedup, repository
from majal.registry.matching.models import ListPerson, PersonList
from majal.registry.service import cnie_digest, idcs_digest

NATIONAL_ID_PURPOSE = "registry-list-national-id"
MAX_NAME = 100
MAX_ID = 64


def import_list(db: Session, content: bytes, *, name: str, commune: str, secret: str, actor: str, source: str = "",
                encoding: str = "utf-8") -> PersonList:
    """Check a persons CSV (the columns of `majal registry dedup`) and store it whole, or refuse it at the first bad
    row and field with nothing written."""
    name, commune = name.strip(), commune.strip()
    if not name or len(name) > 200:
        raise MajalError(N_("Give the list a name of at most %(limit)s characters."), where="--name", limit=200)
    if not commune or len(commune) > 32:
        raise MajalError(N_("Give the commune's code (at most %(limit)s characters)."), where="--commune", limit=32)
    if repository.person_list_by_name(db, commune, name) is not None:
        raise Conflict(N_("The commune already has a list named “%(name)s”."), where="--name", name=name)
    records = dedup.parse_persons_csv(content, encoding)
    rows = records.to_pylist()
    _check_lengths(rows)
    found = PersonList(name=name, commune=commune, source=source[:200], persons=len(rows), imported_by=actor)
    db.add(found)
    db.flush()
    identifiers = [dedup.national_id_kind(row["national_id"]) for row in rows]
    given = [idcs or cnie for idcs, cnie in identifiers]
    sealed = iter(crypto.seal_texts(secret, NATIONAL_ID_PURPOSE, [value for value in given if value]))
    for index, (row, (idcs, cnie)) in enumerate(zip(rows, identifiers, strict=True)):
        db.add(ListPerson(
            list_id=found.id, external_id=row["id"], row=index + 2, first_name=row["first_name"],
            last_name=row["last_name"], birth_date=date.fromisoformat(row["birth_date"]) if row["birth_date"] else None,
            sex=dedup.sex_code(row["sex"]), commune=row["commune"],
            national_id_sealed=next(sealed) if given[index] else None,
            idcs_digest=idcs_digest(secret, idcs) if idcs else None,
            cnie_digest=cnie_digest(secret, cnie) if cnie else None))
    db.flush()
    audit.record(db, actor, "registry.list.import", "person_list", found.id,
                 {"name": name, "commune": commune, "persons": len(rows)})
    return found


def _check_lengths(rows: list[dict[str, Any]]) -> None:
    for index, row in enumerate(rows):
        if len(row["id"]) > MAX_ID:
            raise MajalError(N_("Row %(row)s, column %(column)s: at most %(limit)s characters."), row=index + 2,
                             column="id", limit=MAX_ID)
        for column in ("first_name", "last_name", "commune"):
            if len(row[column]) > MAX_NAME:
                raise MajalError(N_("Row %(row)s, column %(column)s: at most %(limit)s characters."), row=index + 2,
                                 column=column, limit=MAX_NAME)
