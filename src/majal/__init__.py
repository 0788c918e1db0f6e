"""Majal (مجال): territorial intelligence for a commune and its social programmes."""

__version__ = "0.1.0"
