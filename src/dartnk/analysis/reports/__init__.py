"""Reports for the committee (safety), the interim (construct selection) and the final analysis.

Each builder is a pure function of a :class:`dartnk.analysis.report_data.TrialData` returning a
:class:`~dartnk.analysis.reports.document.Report`; :func:`write_report` writes it as HTML or PDF.
"""

from dartnk.analysis.reports.document import Report
from dartnk.analysis.reports.render import render_html, render_pdf, write_report

__all__ = ["Report", "render_html", "render_pdf", "write_report"]
