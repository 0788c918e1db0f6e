"""The demo commune's waste collection: deterministic, about 800 containers in the districts, a mixed fleet of 8,
market streets with early windows, a connected street grid, and added only once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from majal.cleanliness import demo, distances, repository, service
from majal.cleanliness.inventory import InventoryRecords
from majal.territory.demo import build_demo_territory

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def build() -> InventoryRecords:
    territory = build_demo_territory()
    return demo.build([d.geometry for d in territory.districts], list(range(1, len(territory.districts) + 1)),
                      [d.population for d in territory.districts], NOW)


def test_demo_inventory_is_deterministic_and_realistic() -> None:
    first, second = build(), build()
    assert first == second
    assert len(first.containers) == demo.CONTAINERS == 800
    assert len({c.code for c in first.containers}) == 800
    markets = [c for c in first.containers if c.window_start]
    assert len(markets) == len(demo.MARKETS) * demo.MARKET_BINS
    assert {(c.window_start, c.window_end) for c in markets} == {("05:00", "07:00")}
    fleet = Counter((t.capacity_kg, t.capacity_m3) for t in first.trucks)
    assert len(first.trucks) == 8 and len(fleet) == 3  # heterogeneous
    graph = distances.build_graph([(np.array(r.coordinates), r.oneway) for r in first.roads])
    places = np.array([(s.lon, s.lat) for s in first.sites] + [(c.lon, c.lat) for c in first.containers[:50]])
    assert distances.matrices(places, graph).unreachable_pairs == 0  # one connected street network


def test_demo_is_loaded_once_inside_the_districts(sessions: sessionmaker[Session], demo_territory: None) -> None:
    with sessions.begin() as db:
        assert demo.load_inventory(db, NOW)
    with sessions.begin() as db:
        assert not demo.load_inventory(db, NOW)
        counts = service.counts(db)
        assert (counts.containers, counts.trucks, counts.sites) == (800, 8, 2)
        assert counts.roads > 1000
        locate = service.district_locator(db)
        assert locate is not None
        assert all(locate(c.lon, c.lat) == c.district_id for c in repository.containers(db))
