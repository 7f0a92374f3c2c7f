"""Mapping engine benchmark: ``python -m bench.mapping`` (figures in docs/benchmarks.md).

A canonical sales order of 17 header fields and 20 lines of 8 fields is mapped
with mappings/generic/sales_order.out.yaml four ways, which must all give the
same result: the engine; jsonpath-ng parsed once and applied field by field;
jsonpath-ng parsed for every record; and hand-written dict code (the limit).
"""
