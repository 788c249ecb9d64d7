"""CDISC SDTM export (SDTMIG 3.4): DM, DS, EX, AE (+SUPPAE), LB, TU, TR, RS and TA, TE, TS.

``build_datasets(trial_data)`` makes the datasets; ``write_datasets(datasets, out_dir, fmt)``
writes SAS XPT v5 or CSV files and ``define.json``; ``read_dataset(path)`` reads one back.
"""

from dartnk.export.sdtm.datasets import Dataset, build_datasets
from dartnk.export.sdtm.files import ExportFormat, read_dataset, write_datasets

__all__ = ["Dataset", "ExportFormat", "build_datasets", "read_dataset", "write_datasets"]
