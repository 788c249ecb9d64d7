"""RECIST settings: the protocol's ``response`` section, overridden field by field by the input."""

from __future__ import annotations

import pytest

from dartnk.clinical.recist.settings import resolve_settings
from dartnk.errors import InputError


def test_shipped_protocol_uses_the_recist_defaults(protocol):
    s = protocol.response
    assert (s.confirmation_required, s.confirmation_min_days, s.min_sd_days, s.too_small_default_mm) == (True, 28, 42, 5)
    assert s.pr_persists_after_confirmation and s.reappearance_after_cr_is_pd and not s.confirmation_allows_intervening_sd


def test_overrides_apply_field_by_field(protocol):
    s = resolve_settings(protocol.response, {"confirmation_required": False, "min_sd_days": 56})
    assert (s.confirmation_required, s.min_sd_days, s.confirmation_min_days) == (False, 56, 28)
    assert resolve_settings(protocol.response, None) is protocol.response


@pytest.mark.parametrize("overrides, field", [({"min_sd_days": -1}, "settings.min_sd_days"),
                                              ({"confirm": True}, "settings.confirm"),
                                              ("strict", "settings")])
def test_bad_overrides_name_the_field(protocol, overrides, field):
    with pytest.raises(InputError) as err:
        resolve_settings(protocol.response, overrides)
    assert err.value.field_path == field
