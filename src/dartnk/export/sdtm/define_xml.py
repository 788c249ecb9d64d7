"""Define-XML 2.1 (CDISC ODM 1.3.2 with the def: extension) describing the exported SDTM datasets.

One ``ItemGroupDef`` per dataset (class, structure, keys, file), one ``ItemDef`` per variable (data
type, length, significant digits for floats, label, origin, and the NCI codelist code as a
comment), the SDTMIG and CT standards. Codelists are named, not enumerated: the terms themselves
are the CDISC CT package's (see ``metadata.CT_VERSION``).
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from xml.sax.saxutils import escape, quoteattr

from dartnk.export.sdtm.datasets import Dataset
from dartnk.export.sdtm.metadata import CT_VERSION, SDTMIG_VERSION, Variable

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
DEF_NS = "http://www.cdisc.org/ns/def/v2.1"
XLINK_NS = "http://www.w3.org/1999/xlink"
INTEGER_NAMES = {"AGE", "TAETORD", "TSSEQ"}
MANDATORY_SUFFIXES = ("SEQ", "TESTCD", "TEST")


def _data_type(v: Variable, ds: Dataset) -> str:
    if v.type == "Num":
        if v.name in INTEGER_NAMES or v.name.endswith("SEQ") or v.name.endswith("DY"):
            return "integer"
        return "float"
    if v.name.endswith("DTC"):
        values = [r[v.name] for r in ds.rows if r[v.name]]
        return "date" if all(len(x) == 10 for x in values) else "partialDate"
    return "text"


def _length(v: Variable, ds: Dataset, kind: str) -> tuple[int, int | None]:
    """(Length, SignificantDigits) as Define-XML 2.1 wants them for text, integer and float."""
    values = [r[v.name] for r in ds.rows]
    if v.type == "Char":
        return max([1] + [len(x) for x in values]), None
    finite = [x for x in values if not (isinstance(x, float) and math.isnan(x))]
    if kind == "integer":
        return max([1] + [len(str(int(x))) for x in finite]), None
    texts = [repr(float(x)) for x in finite]
    decimals = max([0] + [len(t.split(".")[1]) if "." in t and "e" not in t else 0 for t in texts])
    return max([1] + [len(t) for t in texts]), decimals


def define_xml(datasets: dict[str, Dataset], study: str, fmt_suffix: str = "xpt") -> str:
    """The Define-XML 2.1 document for ``datasets`` written as ``<name>.<fmt_suffix>``."""
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<ODM xmlns="{ODM_NS}" xmlns:def="{DEF_NS}" xmlns:xlink="{XLINK_NS}" ODMVersion="1.3.2" '
           f'FileType="Snapshot" FileOID={quoteattr(f"DEFINE.{study}.SDTM")} CreationDateTime="{now}" '
           'Originator="dartnk" def:Context="Submission">',
           f'  <Study OID={quoteattr(f"STUDY.{study}")}>',
           "    <GlobalVariables>",
           f"      <StudyName>{escape(study)}</StudyName>",
           f"      <StudyDescription>{escape(study)} SDTM tabulation datasets</StudyDescription>",
           f"      <ProtocolName>{escape(study)}</ProtocolName>",
           "    </GlobalVariables>",
           f'    <MetaDataVersion OID="MDV.{escape(study)}.SDTMIG.{SDTMIG_VERSION}" Name="{escape(study)} SDTM" '
           'def:DefineVersion="2.1.0">',
           "      <def:Standards>",
           f'        <def:Standard OID="STD.SDTMIG" Name="SDTMIG" Type="IG" Version="{SDTMIG_VERSION}" Status="Final"/>',
           f'        <def:Standard OID="STD.CT" Name="CDISC/NCI" Type="CT" PublishingSet="SDTM" Version="{CT_VERSION}" '
           'Status="Final"/>',
           "      </def:Standards>"]
    items = []
    for ds in datasets.values():
        spec = ds.spec
        out.append(f'      <ItemGroupDef OID="IG.{spec.name}" Name="{spec.name}" '
                   f'Domain="{spec.name[4:] if spec.name.startswith("SUPP") else spec.name}" SASDatasetName="{spec.name}" '
                   f'Repeating="{"No" if spec.name == "DM" else "Yes"}" '
                   f'IsReferenceData="{"Yes" if spec.cls == "Trial Design" else "No"}" Purpose="Tabulation" '
                   f'def:Structure={quoteattr(spec.structure)} def:StandardOID="STD.SDTMIG" '
                   f'def:ArchiveLocationID="LF.{spec.name}">')
        out.append(f'        <Description><TranslatedText xml:lang="en">{escape(spec.label)}</TranslatedText></Description>')
        for i, v in enumerate(spec.variables, start=1):
            key = spec.keys.index(v.name) + 1 if v.name in spec.keys else None
            mandatory = "Yes" if key or v.name in ("STUDYID", "DOMAIN", "USUBJID") or \
                v.name.endswith(MANDATORY_SUFFIXES) else "No"
            out.append(f'        <ItemRef ItemOID="IT.{spec.name}.{v.name}" OrderNumber="{i}" Mandatory="{mandatory}"'
                       + (f' KeySequence="{key}"' if key else "") + "/>")
            items.append(_item(spec.name, v, ds))
        out.append(f'        <def:Class Name={quoteattr(spec.cls.upper())}/>')
        out.append(f'        <def:leaf ID="LF.{spec.name}" xlink:href="{spec.name.lower()}.{fmt_suffix}">'
                   f"<def:title>{spec.name.lower()}.{fmt_suffix}</def:title></def:leaf>")
        out.append("      </ItemGroupDef>")
    out += items
    out += ["    </MetaDataVersion>", "  </Study>", "</ODM>", ""]
    return "\n".join(out)


def _item(dataset: str, v: Variable, ds: Dataset) -> str:
    kind = _data_type(v, ds)
    length, digits = _length(v, ds, kind)
    attrs = f'OID="IT.{dataset}.{v.name}" Name="{v.name}" DataType="{kind}" SASFieldName="{v.name}"'
    if kind in ("text", "integer", "float"):
        attrs += f' Length="{length}"'
    if digits is not None:
        attrs += f' SignificantDigits="{digits}"'
    origin = (f'<def:Origin Type="{v.origin}"' + (' Source="Investigator"' if v.origin == "Collected" else "")
              + ("/>" if v.origin != "Collected" else "/>"))
    comment = "; ".join(x for x in (f"codelist {v.codelist}" if v.codelist else "", v.note) if x)
    desc = f'<Description><TranslatedText xml:lang="en">{escape(v.label)}</TranslatedText></Description>'
    extra = f"<!-- {escape(comment).replace('--', '-')} -->" if comment else ""
    return f"      <ItemDef {attrs}>{desc}{origin}{extra}</ItemDef>"
