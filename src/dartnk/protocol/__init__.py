"""The protocol as data: pydantic models, YAML loading with field-path errors, the default protocol."""

from dartnk.protocol.loader import default_protocol, default_protocol_text, parse_protocol, protocol_problems
from dartnk.protocol.model import Protocol

__all__ = ["Protocol", "default_protocol", "default_protocol_text", "parse_protocol", "protocol_problems"]
