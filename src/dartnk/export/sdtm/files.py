"""Write SDTM datasets as SAS XPT v5 (pyreadstat) or CSV, with a define-style metadata file; read them back.

XPT v5 limits (SAS TS-140): dataset and variable names ≤ 8 characters, labels ≤ 40, character
values ≤ 200 bytes; each file holds one dataset named after the domain (``dm.xpt``…). The
metadata file ``define.json`` lists for each dataset its label, class, structure, keys and
record count, and for each variable its label, type, length, origin and codelist, with the SDTMIG and
CT versions; ``define.xml`` carries the same as Define-XML 2.1 (:mod:`.define_xml`).
"""

from __future__ import annotations

import csv
import json
import math
from enum import Enum
from pathlib import Path

from dartnk.errors import InputError
from dartnk.export.sdtm.datasets import Dataset
from dartnk.export.sdtm.metadata import CT_VERSION, SDTM_VERSION, SDTMIG_VERSION

DEFINE_FILE = "define.json"
DEFINE_XML_FILE = "define.xml"


class ExportFormat(str, Enum):
    XPT = "xpt"
    CSV = "csv"


def _frame(ds: Dataset):
    import pandas as pd

    cols = ds.spec.names()
    frame = pd.DataFrame([[r[c] for c in cols] for r in ds.rows], columns=cols)
    for v in ds.spec.variables:
        frame[v.name] = frame[v.name].astype("float64" if v.type == "Num" else "object")
    return frame


def _length(ds: Dataset, name: str, kind: str) -> int:
    if kind == "Num":
        return 8
    return max([1] + [len(r[name].encode("ascii")) for r in ds.rows])


def define(datasets: dict[str, Dataset], fmt: ExportFormat, study: str) -> dict:
    return {
        "study": study, "standard": f"SDTMIG {SDTMIG_VERSION}", "model": f"SDTM {SDTM_VERSION}",
        "controlled_terminology": f"CDISC SDTM Controlled Terminology {CT_VERSION}",
        "file_format": "SAS XPORT version 5" if fmt == ExportFormat.XPT else "CSV (UTF-8, header row)",
        "datasets": [{
            "name": ds.name, "label": ds.spec.label, "class": ds.spec.cls, "structure": ds.spec.structure,
            "keys": list(ds.spec.keys), "records": len(ds.rows), "file": f"{ds.name.lower()}.{fmt.value}",
            "variables": [{"name": v.name, "label": v.label, "type": v.type, "length": _length(ds, v.name, v.type),
                           "origin": v.origin, "codelist": v.codelist, "comment": v.note} for v in ds.spec.variables],
        } for ds in datasets.values()],
    }


def write_datasets(datasets: dict[str, Dataset], out_dir: str | Path, fmt: ExportFormat | str = ExportFormat.XPT,
                   study: str = "") -> list[Path]:
    """Write every dataset and ``define.json`` into ``out_dir`` (created if missing); the paths written."""
    try:
        fmt = ExportFormat(fmt)
    except ValueError:
        raise InputError.field("--format", fmt, "xpt or csv") from None
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError.field("--out", str(out_dir), "a directory (not an existing file)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for ds in datasets.values():
        path = out / f"{ds.name.lower()}.{fmt.value}"
        tmp = path.with_name(path.name + ".part")
        if fmt == ExportFormat.XPT:
            import pyreadstat

            pyreadstat.write_xport(_frame(ds), str(tmp), file_label=ds.spec.label, table_name=ds.name,
                                   column_labels=[v.label for v in ds.spec.variables], file_format_version=5)
        else:
            _write_csv(ds, tmp)
        tmp.replace(path)
        written.append(path)
    from dartnk.export.sdtm.define_xml import define_xml

    meta = out / DEFINE_FILE
    meta.write_text(json.dumps(define(datasets, fmt, study), indent=2), encoding="utf-8")
    xml = out / DEFINE_XML_FILE
    xml.write_text(define_xml(datasets, study or "STUDY", fmt.value), encoding="utf-8")
    return written + [meta, xml]


def _write_csv(ds: Dataset, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ds.spec.names())
        for r in ds.rows:
            w.writerow(["" if isinstance(r[c], float) and math.isnan(r[c]) else
                        (repr(r[c]) if isinstance(r[c], float) else r[c]) for c in ds.spec.names()])


def read_dataset(path: str | Path) -> tuple[list[dict], dict[str, str]]:
    """Rows (missing numbers as NaN, missing text as '') and variable labels of one written dataset."""
    path = Path(path)
    if path.suffix == ".xpt":
        import pyreadstat

        frame, meta = pyreadstat.read_xport(str(path))
        labels = dict(zip(meta.column_names, meta.column_labels))
        rows = frame.to_dict(orient="records")
        return [{k: ("" if v is None else v) for k, v in r.items()} for r in rows], labels
    define_path = path.parent / DEFINE_FILE
    spec = next(d for d in json.loads(define_path.read_text())["datasets"] if d["file"] == path.name)
    types = {v["name"]: v["type"] for v in spec["variables"]}
    with path.open(newline="", encoding="utf-8") as f:
        rows = [{k: (float(v) if v else float("nan")) if types[k] == "Num" else v for k, v in r.items()}
                for r in csv.DictReader(f)]
    return rows, {v["name"]: v["label"] for v in spec["variables"]}
