"""Conduct workflow: each step validated by :mod:`dartnk.clinical` and decided by :mod:`dartnk.trial`.

Every function takes a :class:`~dartnk.service.context.Conduct` and runs in one write transaction
holding the trial's lock, so a step is all-or-nothing and enrollment is serialised.
"""
