"""Cleanliness: containers, fill levels, fleet and collection planning (the routing engine is the `routing` package)."""
