"""Reading a protocol: YAML text → validated :class:`Protocol`, with every problem's field path.

The caller reads the file (I/O belongs to the drivers); :func:`parse_protocol` is pure.
"""

from __future__ import annotations

from importlib import resources

import yaml
from pydantic import ValidationError

from dartnk.errors import Problem, ProtocolError, problems_from_pydantic
from dartnk.protocol.model import Protocol

DEFAULT_PROTOCOL_NAME = "dart-nk-sclc.yaml"


def default_protocol_text() -> str:
    """The shipped DART-NK-SCLC protocol, as YAML text (package data)."""
    return resources.files("dartnk.protocol").joinpath("data", DEFAULT_PROTOCOL_NAME).read_text(encoding="utf-8")


def protocol_problems(text: str) -> tuple[Protocol | None, list[Problem]]:
    """Validate YAML text; return the protocol (when valid) and every problem found."""
    try:
        node, data = _compose_and_construct(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        return None, [Problem("yaml", f"valid YAML ({getattr(exc, 'problem', exc)} at {where})", has_value=False)]
    if not isinstance(data, dict):
        return None, [Problem("protocol", "a YAML mapping at the top level", type(data).__name__)]
    # YAML keeps the last of two equal keys silently; a protocol must not be ambiguous, so they are problems too
    duplicates = _duplicate_keys(node)
    try:
        protocol = Protocol.model_validate(data)
    except ValidationError as exc:
        return None, duplicates + problems_from_pydantic(exc)
    problems = duplicates + protocol.cross_problems()
    return (None if problems else protocol), problems


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, object]:
    """Parse once: the node tree (with lines, for the duplicate-key check) and the data built from it."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _duplicate_keys(node: yaml.Node | None, path: str = "") -> list[Problem]:
    """Keys given twice in one mapping, anywhere in the document, with their field path and lines."""
    out: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            field = f"{path}.{key}" if path else key
            line = key_node.start_mark.line + 1
            if key in first_line:
                out.append(Problem(field, f"one entry per key (given again at line {line}; first at line "
                                          f"{first_line[key]})", has_value=False))
            else:
                first_line[key] = line
            out += _duplicate_keys(value_node, field)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out += _duplicate_keys(item, f"{path}.{i}")
    return out


def parse_protocol(text: str) -> Protocol:
    """Validate YAML text or raise :class:`ProtocolError` listing every problem."""
    protocol, problems = protocol_problems(text)
    if problems:
        raise ProtocolError(problems)
    assert protocol is not None
    return protocol


_DEFAULT: Protocol | None = None


def default_protocol() -> Protocol:
    """The shipped protocol, parsed once (it is frozen, so sharing it is safe)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = parse_protocol(default_protocol_text())
    return _DEFAULT
