"""numba when installed; otherwise a no-op ``njit`` so the modules import (the Python paths run)."""

from __future__ import annotations

try:
    import numba
    from numba import njit
    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None
    HAVE_NUMBA = False

    def njit(*args, **kwargs):
        if args and callable(args[0]):
            return args[0]
        return lambda f: f
