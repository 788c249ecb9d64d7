"""SDTM dataset and variable metadata: names, labels, types, roles and controlled terminology.

Standard: CDISC SDTM Implementation Guide v3.4 (SDTMIG 3.4, 2021-11-29) on SDTM v2.0. Labels are
the SDTMIG's own (≤ 40 characters, as SAS XPT v5 requires); controlled-terminology codelists are
named by their NCI code (CDISC SDTM Controlled Terminology, NCI EVS; the package version is
:data:`CT_VERSION`). A variable's ``origin`` follows Define-XML 2.1 (Collected, Derived, Assigned,
Protocol).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SDTMIG_VERSION = "3.4"
SDTM_VERSION = "2.0"
CT_VERSION = "2024-09-27"  # CDISC SDTM Controlled Terminology package used for the terms below


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    type: str = "Char"  # Char or Num
    origin: str = "Collected"
    codelist: str = ""  # NCI codelist code, e.g. C66731 (SEX)
    note: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    label: str
    cls: str  # SDTM observation class
    structure: str
    keys: tuple[str, ...]
    variables: tuple[Variable, ...] = field(default=())

    def names(self) -> list[str]:
        return [v.name for v in self.variables]


def V(name: str, label: str, type: str = "Char", origin: str = "Collected", codelist: str = "", note: str = "") -> Variable:
    return Variable(name, label, type, origin, codelist, note)


def _ids(domain: str, seq: bool = True) -> tuple[Variable, ...]:
    out = (V("STUDYID", "Study Identifier", origin="Protocol"), V("DOMAIN", "Domain Abbreviation", origin="Assigned"),
           V("USUBJID", "Unique Subject Identifier", origin="Derived"))
    return out + ((V(f"{domain}SEQ", "Sequence Number", "Num", "Derived"),) if seq else ())


DM = DatasetSpec("DM", "Demographics", "Special-Purpose", "One record per subject", ("STUDYID", "USUBJID"), _ids("DM", False) + (
    V("SUBJID", "Subject Identifier for the Study"), V("RFSTDTC", "Subject Reference Start Date/Time", origin="Derived",
                                                      note="Day 0: first CAR-NK infusion"),
    V("RFENDTC", "Subject Reference End Date/Time", origin="Derived", note="last study treatment"),
    V("RFXSTDTC", "Date/Time of First Study Treatment", origin="Derived", note="first lymphodepletion dose"),
    V("RFXENDTC", "Date/Time of Last Study Treatment", origin="Derived"),
    V("RFICDTC", "Date/Time of Informed Consent"), V("RFPENDTC", "Date/Time of End of Participation", origin="Derived"),
    V("DTHDTC", "Date/Time of Death"), V("DTHFL", "Subject Death Flag", origin="Derived", codelist="C66742"),
    V("SITEID", "Study Site Identifier"), V("BRTHDTC", "Date/Time of Birth", note="year only (pseudonymised)"),
    V("AGE", "Age", "Num", "Derived", note="consent year minus birth year"), V("AGEU", "Age Units", origin="Assigned", codelist="C66781"),
    V("SEX", "Sex", codelist="C66731"), V("RACE", "Race", codelist="C74457", note="not collected: NOT REPORTED"),
    V("ETHNIC", "Ethnicity", codelist="C66790", note="not collected: NOT REPORTED"),
    V("ARMCD", "Planned Arm Code", origin="Assigned"), V("ARM", "Description of Planned Arm", origin="Assigned"),
    V("ACTARMCD", "Actual Arm Code", origin="Derived"), V("ACTARM", "Description of Actual Arm", origin="Derived"),
    V("ARMNRS", "Reason Arm and/or Actual Arm is Null", origin="Derived", codelist="C142179"),
    V("COUNTRY", "Country", origin="Assigned", codelist="ISO 3166-1 alpha-3"),
))

EX = DatasetSpec("EX", "Exposure", "Interventions", "One record per constant dosing interval per subject",
                 ("STUDYID", "USUBJID", "EXTRT", "EXSTDTC"), _ids("EX") + (
    V("EXTRT", "Name of Treatment"), V("EXCAT", "Category of Treatment", origin="Assigned"),
    V("EXDOSE", "Dose", "Num"), V("EXDOSU", "Dose Units", codelist="C71620"),
    V("EXDOSFRM", "Dose Form", origin="Assigned", codelist="C66726"), V("EXDOSFRQ", "Dosing Frequency per Interval",
                                                                        origin="Assigned", codelist="C71113"),
    V("EXROUTE", "Route of Administration", origin="Assigned", codelist="C66729"), V("EXLOT", "Lot Number"),
    V("EPOCH", "Epoch", origin="Derived", codelist="C99079"), V("EXSTDTC", "Start Date/Time of Treatment"),
    V("EXENDTC", "End Date/Time of Treatment"), V("EXSTDY", "Study Day of Start of Treatment", "Num", "Derived"),
    V("EXENDY", "Study Day of End of Treatment", "Num", "Derived"),
))

AE = DatasetSpec("AE", "Adverse Events", "Events", "One record per adverse event per subject",
                 ("STUDYID", "USUBJID", "AEDECOD", "AESTDTC"), _ids("AE") + (
    V("AETERM", "Reported Term for the Adverse Event"), V("AEDECOD", "Dictionary-Derived Term", origin="Derived",
                                                          note="CTCAE v5.0 term (MedDRA LLT)"),
    V("AECAT", "Category for Adverse Event", origin="Assigned"), V("AESER", "Serious Event", codelist="C66742"),
    V("AEREL", "Causality"), V("AEOUT", "Outcome of Adverse Event", origin="Derived", codelist="C66768"),
    V("AESDTH", "Results in Death", origin="Derived", codelist="C66742"),
    V("AETOXGR", "Standard Toxicity Grade", note="CTCAE v5.0; CRS and ICANS: ASTCT 2019"),
    V("EPOCH", "Epoch", origin="Derived", codelist="C99079"), V("AESTDTC", "Start Date/Time of Adverse Event"),
    V("AEENDTC", "End Date/Time of Adverse Event"), V("AESTDY", "Study Day of Start of Adverse Event", "Num", "Derived"),
    V("AEENDY", "Study Day of End of Adverse Event", "Num", "Derived"),
))

SUPP_VARS = (V("STUDYID", "Study Identifier", origin="Protocol"), V("RDOMAIN", "Related Domain Abbreviation", origin="Assigned"),
             V("USUBJID", "Unique Subject Identifier", origin="Derived"), V("IDVAR", "Identifying Variable", origin="Assigned"),
             V("IDVARVAL", "Identifying Variable Value", origin="Derived"), V("QNAM", "Qualifier Variable Name", origin="Assigned"),
             V("QLABEL", "Qualifier Variable Label", origin="Assigned"), V("QVAL", "Data Value"),
             V("QORIG", "Origin", origin="Assigned"), V("QEVAL", "Evaluator", origin="Assigned"))
SUPPAE = DatasetSpec("SUPPAE", "Supplemental Qualifiers for AE", "Relationship",
                     "One record per IDVAR, IDVARVAL, and QNAM value per subject",
                     ("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"), SUPP_VARS)

LB = DatasetSpec("LB", "Laboratory Test Results", "Findings", "One record per lab test per time point per visit per subject",
                 ("STUDYID", "USUBJID", "LBTESTCD", "LBDTC"), _ids("LB") + (
    V("LBTESTCD", "Lab Test or Examination Short Name", origin="Assigned", codelist="C65047"),
    V("LBTEST", "Lab Test or Examination Name", origin="Assigned", codelist="C67154"),
    V("LBCAT", "Category for Lab Test", origin="Assigned"), V("LBORRES", "Result or Finding in Original Units"),
    V("LBORRESU", "Original Units", codelist="C71620"), V("LBSTRESC", "Character Result/Finding in Std Format", origin="Derived"),
    V("LBSTRESN", "Numeric Result/Finding in Standard Units", "Num", "Derived"),
    V("LBSTRESU", "Standard Units", origin="Derived", codelist="C71620"),
    V("LBORNRLO", "Reference Range Lower Limit in Orig Unit"), V("LBORNRHI", "Reference Range Upper Limit in Orig Unit"),
    V("LBSTNRLO", "Reference Range Lower Limit-Std Units", "Num", "Derived"),
    V("LBSTNRHI", "Reference Range Upper Limit-Std Units", "Num", "Derived"),
    V("LBNRIND", "Reference Range Indicator", origin="Derived", codelist="C78736"),
    V("LBSPEC", "Specimen Type", origin="Assigned",
                                                                           codelist="C78734"),
    V("LBTOXGR", "Standard Toxicity Grade", origin="Derived", note="CTCAE v5.0"),
    V("EPOCH", "Epoch", origin="Derived", codelist="C99079"), V("LBDTC", "Date/Time of Specimen Collection"),
    V("LBDY", "Study Day of Specimen Collection", "Num", "Derived"),
))

_VISIT = (V("VISITNUM", "Visit Number", "Num", "Derived"), V("VISIT", "Visit Name", origin="Derived"))

TU = DatasetSpec("TU", "Tumor/Lesion Identification", "Findings", "One record per identified tumor per subject per assessor",
                 ("STUDYID", "USUBJID", "TUEVAL", "TULNKID"), _ids("TU") + (
    V("TULNKID", "Link ID"), V("TUTESTCD", "Tumor/Lesion ID Short Name", origin="Assigned", codelist="C96784"),
    V("TUTEST", "Tumor/Lesion ID Test Name", origin="Assigned", codelist="C96783"),
    V("TUORRES", "Tumor/Lesion ID Result"), V("TUSTRESC", "Tumor/Lesion ID Result Std. Format", origin="Derived",
                                             codelist="C123650"),
    V("TULOC", "Location of the Tumor/Lesion", codelist="C74456"), V("TUMETHOD", "Method of Identification",
                                                                     codelist="C85492"),
    V("TUEVAL", "Evaluator", origin="Assigned", codelist="C78735"), *_VISIT,
    V("TUDTC", "Date/Time of Tumor/Lesion Identification"), V("TUDY", "Study Day of Tumor/Lesion Identification", "Num", "Derived"),
))

TR = DatasetSpec("TR", "Tumor/Lesion Results", "Findings", "One record per tumor measurement/assessment per visit per subject per assessor",
                 ("STUDYID", "USUBJID", "TREVAL", "TRLNKID", "TRTESTCD", "VISITNUM"), _ids("TR") + (
    V("TRLNKID", "Link ID"), V("TRTESTCD", "Tumor/Lesion Assessment Short Name", origin="Assigned", codelist="C96779"),
    V("TRTEST", "Tumor/Lesion Assessment Test Name", origin="Assigned", codelist="C96778"),
    V("TRORRES", "Result or Finding in Original Units"), V("TRORRESU", "Original Units", codelist="C71620"),
    V("TRSTRESC", "Character Result/Finding in Std Format", origin="Derived"),
    V("TRSTRESN", "Numeric Result/Finding in Standard Units", "Num", "Derived"),
    V("TRSTRESU", "Standard Units", origin="Derived", codelist="C71620"),
    V("TRMETHOD", "Method Used to Identify the Tumor/Lesion", codelist="C85492"),
    V("TREVAL", "Evaluator", origin="Assigned", codelist="C78735"), *_VISIT,
    V("TRDTC", "Date/Time of Tumor/Lesion Measurement"), V("TRDY", "Study Day of Tumor/Lesion Measurement", "Num", "Derived"),
))

RS = DatasetSpec("RS", "Disease Response and Clin Classification", "Findings",
                 "One record per response assessment per time point per visit per subject per assessor",
                 ("STUDYID", "USUBJID", "RSEVAL", "RSTESTCD", "VISITNUM"), _ids("RS") + (
    V("RSTESTCD", "Assessment Short Name", origin="Assigned", codelist="C96782"),
    V("RSTEST", "Assessment Name", origin="Assigned", codelist="C96781"),
    V("RSCAT", "Category for Assessment", origin="Assigned", codelist="C124298"),
    V("RSORRES", "Result or Finding in Original Units"), V("RSSTRESC", "Character Result/Finding in Std Format",
                                                           origin="Derived", codelist="C96785"),
    V("RSEVAL", "Evaluator", origin="Assigned", codelist="C78735"), *_VISIT,
    V("RSDTC", "Date/Time of Assessment"), V("RSDY", "Study Day of Assessment", "Num", "Derived"),
))

DS = DatasetSpec("DS", "Disposition", "Events", "One record per disposition status or protocol milestone per subject",
                 ("STUDYID", "USUBJID", "DSSTDTC", "DSDECOD"), _ids("DS") + (
    V("DSTERM", "Reported Term for the Disposition Event"),
    V("DSDECOD", "Standardized Disposition Term", origin="Assigned", codelist="C66727; C114118"),
    V("DSCAT", "Category for Disposition Event", origin="Assigned", codelist="C74558"),
    V("EPOCH", "Epoch", origin="Derived", codelist="C99079"), V("DSSTDTC", "Start Date/Time of Disposition Event"),
    V("DSSTDY", "Study Day of Start of Disposition Event", "Num", "Derived"),
))

_TD = (V("STUDYID", "Study Identifier", origin="Protocol"), V("DOMAIN", "Domain Abbreviation", origin="Assigned"))
TA = DatasetSpec("TA", "Trial Arms", "Trial Design", "One record per planned Element per Arm",
                 ("STUDYID", "ARMCD", "TAETORD"), _TD + (
    V("ARMCD", "Planned Arm Code", origin="Protocol"), V("ARM", "Description of Planned Arm", origin="Protocol"),
    V("TAETORD", "Planned Order of Element within Arm", "Num", "Protocol"), V("ETCD", "Element Code", origin="Protocol"),
    V("ELEMENT", "Description of Element", origin="Protocol"), V("TABRANCH", "Branch", origin="Protocol"),
    V("TATRANS", "Transition Rule", origin="Protocol"), V("EPOCH", "Epoch", origin="Protocol", codelist="C99079"),
))
TE = DatasetSpec("TE", "Trial Elements", "Trial Design", "One record per planned Element", ("STUDYID", "ETCD"), _TD + (
    V("ETCD", "Element Code", origin="Protocol"), V("ELEMENT", "Description of Element", origin="Protocol"),
    V("TESTRL", "Rule for Start of Element", origin="Protocol"), V("TEENRL", "Rule for End of Element", origin="Protocol"),
    V("TEDUR", "Planned Duration of Element", origin="Protocol", note="ISO 8601 duration"),
))
TS = DatasetSpec("TS", "Trial Summary", "Trial Design", "One record per trial summary parameter value",
                 ("STUDYID", "TSPARMCD", "TSSEQ"), _TD + (
    V("TSSEQ", "Sequence Number", "Num", "Derived"), V("TSPARMCD", "Trial Summary Parameter Short Name", origin="Assigned",
                                                       codelist="C66738"),
    V("TSPARM", "Trial Summary Parameter", origin="Assigned", codelist="C67152"), V("TSVAL", "Parameter Value", origin="Protocol"),
    V("TSVALCD", "Parameter Value Code", origin="Assigned"), V("TSVCDREF", "Name of the Reference Terminology", origin="Assigned"),
    V("TSVCDVER", "Version of the Reference Terminology", origin="Assigned"),
))

SPECS: dict[str, DatasetSpec] = {s.name: s for s in (DM, EX, AE, SUPPAE, LB, TU, TR, RS, DS, TA, TE, TS)}
