"""Which published 3+3 tools follow the same rules as a set of escalation settings.

Each entry is backed by a published check or a peer's documented rule (docs/escalation.md, "Which settings
reproduce which peer tool"; tests/design/test_published_oc*.py). Only the classic 3+3 started at the lowest
level is mapped: the peers differ from each other, and from dartnk, elsewhere.
"""

from __future__ import annotations

from dartnk.protocol.escalation import EscalationSettings

_PEERS: dict[tuple[bool, bool], tuple[str, ...]] = {  # (deescalate, expand_top_level) → peer calls
    (True, False): ("bcrm::threep3(truep)", "AplusB with de-escalation",
                    "escalation::get_three_plus_three(K, allow_deescalate = TRUE)"),
    (False, False): ("bcrm::threep3(truep, threep3.esc.only = TRUE)", "AplusB without de-escalation",
                     "escalation::get_three_plus_three(K)", "Lin & Shih (2001) without de-escalation"),
    (True, True): ("precautionary::exact() (Korn et al. 1994: 6 patients at the MTD)",),
    (False, True): (),
}


def same_rules_as(settings: EscalationSettings, start: int) -> tuple[str, ...]:
    """Peer tools whose 3+3 follows ``settings`` from the 0-based ``start`` level (empty when none is known)."""
    if not settings.is_classic_3_plus_3 or start != 0:
        return ()
    return _PEERS[(settings.deescalate, settings.expand_top_level)]
