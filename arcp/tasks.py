"""Background tasks of the ARCP app, by the import path django-tasks records in its queue.

The cohort export task lives with the code it runs (`arcp.cohort.export_cohort`); this name
stays importable so that exports queued before that move still run.
"""

from .cohort import export_cohort  # noqa: F401
