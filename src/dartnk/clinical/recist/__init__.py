"""RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228–247, with the RECIST working group's
2016 update and Q&A): time point response, lesion assessment, best overall response. Pure."""

from dartnk.clinical.recist.assessment import Assessment, Baseline, Visit, VisitResult, assess
from dartnk.clinical.recist.best_response import BestResponse, Timepoint, best_overall_response
from dartnk.clinical.recist.lesions import BaselineLesion, LesionStatus, VisitLesion
from dartnk.clinical.recist.settings import resolve_settings
from dartnk.clinical.recist.timepoint import (NonTargetResponse, OverallResponse, TargetResponse, TimepointDecision,
                                              timepoint_decision, timepoint_response)

__all__ = ["Assessment", "Baseline", "BaselineLesion", "BestResponse", "LesionStatus", "NonTargetResponse",
           "OverallResponse", "TargetResponse", "Timepoint", "TimepointDecision", "Visit", "VisitLesion",
           "VisitResult", "assess", "best_overall_response", "resolve_settings", "timepoint_decision",
           "timepoint_response"]
