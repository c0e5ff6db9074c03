"""Reports from the event log: figures (pure) and their plain-text tables."""
from gateway.reports.figures import flagged_by_reason, service_figures, window_figures
from gateway.reports.table import report_text

__all__ = ["flagged_by_reason", "report_text", "service_figures", "window_figures"]
