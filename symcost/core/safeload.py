"""Loading YAML and JSON documents from users with bounded work.

``yaml.safe_load`` semantics (no tags that build objects), plus two limits applied while
the document is composed: nesting at most :data:`~symcost.core.limits.MAX_DOC_DEPTH`
deep, and aliases adding at most :data:`~symcost.core.limits.MAX_ALIAS_NODES` nodes (a
"billion laughs" document is refused after a few thousand steps, not expanded).
JSON is read by :mod:`json` with the same depth limit. Errors are one-line
:class:`~symcost.core.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from symcost.core import limits
from symcost.core.errors import InputError


class BoundedComposer:
    """Mixin for a ``yaml`` loader class: depth and alias-expansion limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._depth = 0
        self._count = 0
        self._alias_count = 0
        self._sizes: dict[str, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D401 - yaml hook
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent):
            size = self._sizes.get(event.anchor, 1)
            self._alias_count += size
            self._count += size
            if self._alias_count > limits.MAX_ALIAS_NODES:
                raise yaml.composer.ComposerError(
                    None, None, f"aliases expand to more than {limits.MAX_ALIAS_NODES} "
                    "nodes (a 'billion laughs' document?)", event.start_mark)
            return super().compose_node(parent, index)  # type: ignore[misc]
        self._depth += 1
        if self._depth > limits.MAX_DOC_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {limits.MAX_DOC_DEPTH} levels deep",
                event.start_mark)
        start = self._count
        self._count += 1
        node = super().compose_node(parent, index)  # type: ignore[misc]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._sizes[anchor] = self._count - start
        self._depth -= 1
        return node


class SafeBoundedLoader(BoundedComposer, yaml.SafeLoader):
    """``yaml.SafeLoader`` with the limits of :class:`BoundedComposer`."""


def load_yaml(text: str, file: str, loader: type = SafeBoundedLoader, *,
              label: str = "YAML error") -> Any:
    """The YAML document in ``text`` (``loader`` must include :class:`BoundedComposer`);
    ``label`` starts the message of a syntax error."""
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = err.problem or err.context or "syntax error"
        raise InputError(f"{label}: {what}", file=file,
                         line=None if mark is None else mark.line + 1) from None
    except yaml.YAMLError as err:
        raise InputError(f"YAML error: {err}", file=file) from None
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise InputError(f"YAML error: {' '.join(str(err).split())[:200]}",
                         file=file) from None
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise InputError(f"YAML nested more than {limits.MAX_DOC_DEPTH} levels deep",
                         file=file) from None


def load_json(text: str, file: str) -> Any:
    """The JSON document in ``text``, nested at most ``MAX_DOC_DEPTH`` levels."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"JSON syntax error: {err.msg}", file=file, line=err.lineno) from None
    except RecursionError:
        raise InputError(f"JSON nested more than {limits.MAX_DOC_DEPTH} levels deep",
                         file=file) from None
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise InputError(f"JSON error: {' '.join(str(err).split())[:200]}",
                         file=file) from None
    check_depth(data, file)
    return data


def check_depth(data: Any, file: str) -> None:
    """Refuse lists/mappings nested more than ``MAX_DOC_DEPTH`` levels (iteratively)."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limits.MAX_DOC_DEPTH:
            raise InputError(f"nested more than {limits.MAX_DOC_DEPTH} levels deep", file=file)
        stack.extend((c, depth + 1) for c in children)


__all__ = ["BoundedComposer", "SafeBoundedLoader", "load_yaml", "load_json", "check_depth"]
