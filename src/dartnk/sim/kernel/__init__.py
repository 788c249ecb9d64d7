"""The compiled fast path's numba kernel, in parts; the Python side is :mod:`dartnk.sim.compiled`."""
