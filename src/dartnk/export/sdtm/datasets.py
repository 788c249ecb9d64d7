"""Build every SDTM dataset from a :class:`~dartnk.analysis.report_data.TrialData` snapshot."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dartnk.analysis.report_data import TrialData
from dartnk.export.sdtm.common import Context, ascii_text
from dartnk.export.sdtm.design import ta_rows, te_rows, ts_rows
from dartnk.export.sdtm.findings import lb_rows, rs_rows, tr_rows, tu_rows
from dartnk.export.sdtm.metadata import SPECS, DatasetSpec
from dartnk.export.sdtm.subjects import DEFAULT_COUNTRY, dm_rows, ds_rows
from dartnk.export.sdtm.treatment import ae_rows, ex_rows


@dataclass(frozen=True)
class Dataset:
    spec: DatasetSpec
    rows: tuple[dict, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    def column(self, name: str) -> list:
        return [r[name] for r in self.rows]


def _clean(spec: DatasetSpec, rows: list[dict]) -> tuple[dict, ...]:
    """Rows in the spec's variable order; text made ASCII (XPT v5), numbers as float (NaN = missing)."""
    out = []
    names = spec.names()
    for r in rows:
        extra = set(r) - set(names)
        if extra:
            raise AssertionError(f"{spec.name}: variables not in the spec: {sorted(extra)}")
        row = {}
        for v in spec.variables:
            value = r.get(v.name)
            if v.type == "Num":
                row[v.name] = float("nan") if value is None or (isinstance(value, float) and math.isnan(value)) \
                    else float(value)
            else:
                row[v.name] = "" if value is None else ascii_text(str(value))
        out.append(row)
    return tuple(out)


def build_datasets(data: TrialData, country: str = DEFAULT_COUNTRY) -> dict[str, Dataset]:
    """DM, DS, EX, AE, SUPPAE, LB, TU, TR, RS, TA, TE, TS, in that order."""
    ctx = Context(data)
    ae, suppae = ae_rows(ctx)
    built = {"DM": dm_rows(ctx, country), "DS": ds_rows(ctx), "EX": ex_rows(ctx), "AE": ae, "SUPPAE": suppae,
             "LB": lb_rows(ctx), "TU": tu_rows(ctx), "TR": tr_rows(ctx), "RS": rs_rows(ctx), "TA": ta_rows(ctx),
             "TE": te_rows(ctx), "TS": ts_rows(ctx, sum(1 for p in data.patients if p.treated))}
    return {name: Dataset(SPECS[name], _clean(SPECS[name], rows)) for name, rows in built.items()}
