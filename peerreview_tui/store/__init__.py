"""Persistence: one SQLite file per review, through sqlite-utils.

``Store.open`` is the way in; ``week`` loads and reads the schedule; ``notes`` keeps what
reviewers type.
"""

from .connection import StoreError
from .review import Store

__all__ = ["Store", "StoreError"]
