"""Cleanliness: containers, fill levels, fleet and collection planning (the routing engine lives in `routing.py`)."""
