"""Advisory locks on files, so that one program can tell whether another is still at work on a
file (a backup being written, an encryption under way) or was killed: the system lets go of a
dead program's locks. ``flock`` on POSIX. Windows has no such lock, and refuses to rename a file
held open: there no lock is held (``HELD``), and a file counts as abandoned once it is a day old."""

from __future__ import annotations

import os
import sys
import time

HELD = sys.platform != "win32"  # whether a file being written is held open, locked, until it is done
_ABANDONED_AFTER = 24 * 3600  # seconds, where there are no locks


def try_lock(fd: int) -> bool:
    """Take an exclusive lock on the open file ``fd`` without waiting; False if another open
    file (in this program or another) holds one. Closing ``fd`` lets it go."""
    if sys.platform == "win32":
        return time.time() - os.fstat(fd).st_mtime > _ABANDONED_AFTER
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
