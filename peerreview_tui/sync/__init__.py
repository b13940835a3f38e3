"""Bringing reviewers' laptops together by exchanging files: bundle, merge, conflicts.

``write_bundle`` puts this laptop's rows of the review in one file; ``merge_bundles`` brings
bundles in (rules in ``merge``); a row changed on two laptops since they last met leaves the
losing version in ``conflicts``, which ``list_conflicts`` and ``resolve_conflict`` serve to the
lead; ``init_from_bundle`` starts a laptop from the lead's bundle.
"""

from .bundle import (
    BUNDLE_FORMAT,
    LAST_BUNDLE_AT,
    SUFFIX,
    Bundle,
    BundleHeader,
    BundlePassphraseNeeded,
    BundleSummary,
    SyncError,
    free_bundle_path,
    open_bundle,
    read_bundle,
    write_bundle,
)
from .conflicts import Conflict, differences, get_conflict, list_conflicts, resolve_conflict
from .merge import init_from_bundle, merge_bundles
from .summary import BundleMerge, MergeSummary, TableCounts

__all__ = [
    "BUNDLE_FORMAT",
    "LAST_BUNDLE_AT",
    "SUFFIX",
    "Bundle",
    "BundleHeader",
    "BundleMerge",
    "BundlePassphraseNeeded",
    "BundleSummary",
    "Conflict",
    "MergeSummary",
    "SyncError",
    "TableCounts",
    "differences",
    "free_bundle_path",
    "get_conflict",
    "init_from_bundle",
    "list_conflicts",
    "merge_bundles",
    "open_bundle",
    "read_bundle",
    "resolve_conflict",
    "write_bundle",
]
