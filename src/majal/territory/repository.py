"""Queries for the commune and its districts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from majal.kit.geo import bbox_contains
from majal.territory.models import Commune, District


def communes(db: Session) -> list[Commune]:
    return list(db.scalars(select(Commune).order_by(Commune.code)))


def commune_by_code(db: Session, code: str) -> Commune | None:
    return db.scalar(select(Commune).where(Commune.code == code))


def districts(db: Session, commune_id: int | None = None) -> list[District]:
    query = select(District).order_by(District.commune_id, District.code)
    if commune_id is not None:
        query = query.where(District.commune_id == commune_id)
    return list(db.scalars(query))


def districts_with_box_around(db: Session, lon: float, lat: float) -> list[District]:
    box = bbox_contains(District.min_lon, District.min_lat, District.max_lon, District.max_lat, lon, lat)
    return list(db.scalars(select(District).where(box).order_by(District.commune_id, District.code)))


def district_by_code(db: Session, code: str) -> District | None:
    return db.scalar(select(District).where(District.code == code).order_by(District.commune_id).limit(1))
