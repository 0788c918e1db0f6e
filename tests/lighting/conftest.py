"""Lighting fixtures: the demo territory with two cabinets and a few lamps inside it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from majal.lighting import service

# Points inside the demo commune (its centre is -2.32, 34.92).
CABINETS_CSV = """code,name,lon,lat,contracted_power_kw,installed_on,programme
CAB-A,Armoire A,-2.3200,34.9200,36,2010-05-01,
CAB-B,Armoire B,-2.3150,34.9180,25,,
"""
LIGHTS_CSV = """\
pole_number,lon,lat,technology,rated_power_w,dimmable,lantern_height_m,installed_on,cabinet,location_category
P-1,-2.3201,34.9201,hps,150,false,10,2001-03-04,CAB-A,road
P-2,-2.3202,34.9202,led,60,true,8,2021-06-01,CAB-A,sidewalk
P-3,-2.3151,34.9181,metal_halide,250,false,12,,CAB-B,park
"""


@pytest.fixture
def inventory(sessions: sessionmaker[Session], demo_territory) -> None:
    with sessions.begin() as db:
        service.import_inventory(db, CABINETS_CSV.encode(), "cabinets", actor="test")
        service.import_inventory(db, LIGHTS_CSV.encode(), "streetlights", actor="test")
