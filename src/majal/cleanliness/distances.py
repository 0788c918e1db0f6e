"""Distances and driving times between the places of a collection day: along an imported road graph when there is
one, else great-circle distances times a detour factor. A pure engine: arrays in, arrays out.

The road graph is made of GeoJSON lines: every vertex is a node (vertices closer than about 10 cm are one node, so
lines that share an end are joined) and every segment an edge as long as its geodesic length, both ways unless the
line says `"oneway": true`. Each place is tied to its nearest node, the tie counted as a straight walk at the detour
factor; shortest paths come from Dijkstra (scipy.sparse.csgraph), one search per place. A pair the graph cannot join
(a place on a piece of road cut off from the rest) falls back to the great-circle estimate, and is counted.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
DETOUR_FACTOR = 1.3  # streets against the crow's flight in a dense town; the usual figure is 1.2-1.4
TOWN_SPEED_KMH = 18.0  # a collection truck's average between two stops, all stops and lights included
NODE_DECIMALS = 6  # vertices rounded to 1e-6° (about 10 cm) to join lines that share an end


@dataclass(frozen=True)
class RoadGraph:
    nodes: np.ndarray  # (m, 2) lon, lat
    edges: np.ndarray  # (k, 2) node indices, from → to (both directions listed for two-way roads)
    lengths: np.ndarray  # (k,) metres


@dataclass(frozen=True)
class Matrices:
    distances: np.ndarray  # (n, n) integer metres
    durations: np.ndarray  # (n, n) integer seconds
    source: str  # "roads" or "great_circle"
    unreachable_pairs: int = 0  # pairs the road graph could not join (great-circle estimate used)


def haversine_m(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def great_circle_matrix(points: np.ndarray, detour: float = DETOUR_FACTOR) -> np.ndarray:
    """(n, n) float metres: great-circle distance times the detour factor."""
    lon, lat = points[:, 0], points[:, 1]
    return haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :]) * detour


def build_graph(lines: Sequence[tuple[np.ndarray, bool]]) -> RoadGraph:
    """The graph of lines given as ((k, 2) lon/lat vertices, one-way?)."""
    keys: dict[tuple[float, float], int] = {}
    coords: list[tuple[float, float]] = []
    sources: list[int] = []
    targets: list[int] = []
    for vertices, oneway in lines:
        ids = []
        for lon, lat in np.round(np.asarray(vertices, dtype=np.float64), NODE_DECIMALS):
            key = (float(lon), float(lat))
            if key not in keys:
                keys[key] = len(coords)
                coords.append(key)
            ids.append(keys[key])
        for a, b in itertools.pairwise(ids):
            if a == b:
                continue
            sources.append(a)
            targets.append(b)
            if not oneway:
                sources.append(b)
                targets.append(a)
    nodes = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    edges = np.column_stack([sources, targets]).astype(np.int64) if sources else np.zeros((0, 2), dtype=np.int64)
    lengths = haversine_m(nodes[edges[:, 0], 0], nodes[edges[:, 0], 1], nodes[edges[:, 1], 0],
                          nodes[edges[:, 1], 1]) if len(edges) else np.zeros(0)
    return RoadGraph(nodes, edges, lengths)


def road_matrix(points: np.ndarray, graph: RoadGraph, detour: float = DETOUR_FACTOR) -> tuple[np.ndarray, int]:
    """(n, n) float metres along the graph between the points, and how many pairs fell back to great-circle."""
    estimate = great_circle_matrix(points, detour)
    if len(graph.edges) == 0:
        return estimate, len(points) * (len(points) - 1)
    # Nearest node on a local flat projection (metres): fine over a town.
    scale = np.array([np.cos(np.radians(float(points[:, 1].mean()))), 1.0]) * (np.pi / 180 * EARTH_RADIUS_M)
    _gap, nearest = cKDTree(graph.nodes * scale).query(points * scale)
    snap = haversine_m(points[:, 0], points[:, 1], graph.nodes[nearest, 0], graph.nodes[nearest, 1]) * detour
    m = len(graph.nodes)
    adjacency = coo_array((graph.lengths, (graph.edges[:, 0], graph.edges[:, 1])), shape=(m, m)).tocsr()
    unique, inverse = np.unique(nearest, return_inverse=True)
    between = dijkstra(adjacency, directed=True, indices=unique)[:, unique]  # (u, u) node to node
    along = snap[:, None] + between[inverse][:, inverse] + snap[None, :]
    np.fill_diagonal(along, 0.0)
    cut_off = ~np.isfinite(along)
    return np.where(cut_off, estimate, along), int(cut_off.sum())


def matrices(points: np.ndarray, graph: RoadGraph | None, detour: float = DETOUR_FACTOR,
             speed_kmh: float = TOWN_SPEED_KMH) -> Matrices:
    """Integer metres and seconds between every pair of points ((n, 2) lon/lat)."""
    if graph is not None and len(graph.edges):
        metres, unreachable = road_matrix(points, graph, detour)
        source = "roads"
    else:
        metres, unreachable, source = great_circle_matrix(points, detour), 0, "great_circle"
    distances = np.rint(metres).astype(np.int64)
    durations = np.rint(metres / (speed_kmh / 3.6)).astype(np.int64)
    return Matrices(distances, durations, source, unreachable)
