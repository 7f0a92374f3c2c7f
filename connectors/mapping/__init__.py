"""The mapping engine: YAML files in mappings/ translate records, no Python per field.

    mapping = load_mapping("mappings/generic/sales_order.out.yaml")  # parse + compile once
    payload = mapping.apply(order, xref)     # per record; MappingFailure if it does not fit

See docs/mappings.md for the file format and the canonical records.
"""

from connectors.mapping.compile import load_mapping
from connectors.mapping.engine import Mapping
from connectors.mapping.errors import Issue, MappingFailure, MappingSpecError
from connectors.mapping.xref import CrossReference, InMemoryCrossReference

__all__ = [
    "CrossReference",
    "InMemoryCrossReference",
    "Issue",
    "Mapping",
    "MappingFailure",
    "MappingSpecError",
    "load_mapping",
]
