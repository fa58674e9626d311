"""Rubric life cycle: publish, retire, next version, canonical JSON, import and export.

These functions are the only doors through which a rubric changes status. The model layer
(`rubrics.models`) refuses any change to the content of a published or retired rubric, so the
Wagtail admin, the API and the shell all obey the same rules.

By concern:

- `content`: a rubric's content as plain data, its canonical JSON and hash, and the
  publishing rules (`validation_problems`);
- `lifecycle`: publish, retire, the draft of a slug, the next version;
- `transfer`: export and import in the documented file format (`rubrics/SCHEMA.md`).
"""

from .content import MAX_SCORE, canonical_json, compute_hash, content_dict, validation_problems
from .lifecycle import draft_of, new_version, publish, retire, status_changed
from .transfer import EXPORT_SCHEMA, MAX_WEIGHT, export_json, import_json

__all__ = [
    "EXPORT_SCHEMA",
    "MAX_SCORE",
    "MAX_WEIGHT",
    "canonical_json",
    "compute_hash",
    "content_dict",
    "draft_of",
    "export_json",
    "import_json",
    "new_version",
    "publish",
    "retire",
    "status_changed",
    "validation_problems",
]
