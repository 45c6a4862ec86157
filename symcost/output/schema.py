"""The JSON Schema of every JSON document symcost writes (``symcost/data/symcost.schema.json``).

Versioning: the ``"symcost"`` key of each document is the schema version; it changes
only on a breaking change (a key removed, renamed or retyped). New keys may appear in any
release without a version change.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

#: The schema version written in every document's ``"symcost"`` key.
SCHEMA_VERSION = 1


@lru_cache(maxsize=1)
def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of symcost's JSON output, as a dict.

    >>> import symcost
    >>> symcost.json_schema()["properties"]["symcost"]
    {'const': 1}
    """
    text = resources.files("symcost").joinpath("data", "symcost.schema.json").read_text()
    return json.loads(text)
