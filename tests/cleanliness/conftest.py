"""A small commune fleet on the demo districts: a garage, a landfill, two trucks and a few containers."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from majal.cleanliness import service

SITES_CSV = b"""code,kind,name,lon,lat,unload_minutes
GARAGE,depot,Garage,-2.3300,34.9150,0
DUMP,landfill,Landfill,-2.2700,34.9200,15
"""
TRUCKS_CSV = b"""code,name,capacity_kg,capacity_m3,compaction,shift_start,shift_hours,depot,landfill
BIG,Compactor 16 m3,8000,16,3,05:00,7,GARAGE,DUMP
SMALL,Mini 7 m3,1000,7,2,06:00,6,GARAGE,DUMP
"""
CONTAINERS_CSV = b"""code,kind,volume_l,lon,lat,status,street,frequency_days,window_start,window_end
A1,bin_660,660,-2.3200,34.9200,active,Rue A,1,,
A2,bin_1100,1100,-2.3180,34.9210,active,Rue A,1,,
A3,bin_240,240,-2.3220,34.9190,active,Rue B,1,,
M1,bin_1100,1100,-2.3150,34.9230,active,Souk,1,05:00,07:00
"""


def load(db: Session, kind: str, data: bytes) -> service.ImportResult:
    return service.import_inventory(db, kind, data, f"{kind}.csv", actor="test")


@pytest.fixture
def fleet(sessions: sessionmaker[Session], demo_territory: None) -> sessionmaker[Session]:
    with sessions.begin() as db:
        load(db, "sites", SITES_CSV)
        load(db, "trucks", TRUCKS_CSV)
        load(db, "containers", CONTAINERS_CSV)
    return sessions
