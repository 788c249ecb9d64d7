"""dartnk: design, simulation and conduct of the DART-NK-SCLC adaptive Phase 1/2 CAR-NK trial.

Layers (see ../shared/DESIGN.md): ``protocol`` → ``clinical`` / ``design`` → ``trial`` → the two
drivers ``sim`` (virtual patients) and ``service`` (real patients, via ``store``), with
``analysis`` and ``export`` for reports and data. ``protocol``, ``clinical``, ``design`` and
``trial`` are pure: no I/O, no clock, no global randomness.
"""

__version__ = "0.1.0"
