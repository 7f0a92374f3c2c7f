"""The WSDL of the simulated SOAMANAGER service: four RFC function modules
wrapped as document/literal SOAP, in SAP's namespace and spelling (DDIC
structures as complex types, table parameters as lists of ``item``, char and
quantity types as restricted simple types), written from the tables below.

The same schema validates what the SOAP endpoint receives.
"""

from __future__ import annotations

from functools import lru_cache
from xml.sax.saxutils import quoteattr

from lxml import etree

RFC_NS = "urn:sap-com:document:sap:rfc:functions"
SERVICE = "ZSD_SALESORDER"
SOAP_PATH = "/sap/bc/srt/rfc/sap/zsd_salesorder/100/zsd_salesorder/zsd_salesorder_binding"

# simple type -> (base, facets)
SIMPLE: dict[str, tuple[str, dict[str, str]]] = {
    **{
        f"char{n}": ("string", {"maxLength": str(n)})
        for n in (1, 2, 4, 5, 10, 20, 30, 35, 40, 50, 220)
    },
    "cuky5": ("string", {"maxLength": "5"}),
    "unit3": ("string", {"maxLength": "3"}),
    "numeric3": ("string", {"maxLength": "3", "pattern": r"\d*"}),
    "numeric4": ("string", {"maxLength": "4", "pattern": r"\d*"}),
    "numeric6": ("string", {"maxLength": "6", "pattern": r"\d*"}),
    "date10": ("string", {"maxLength": "10", "pattern": r"\d\d\d\d-\d\d-\d\d"}),
    "quantum13.3": ("decimal", {"totalDigits": "13", "fractionDigits": "3"}),
    "quantum15.3": ("decimal", {"totalDigits": "15", "fractionDigits": "3"}),
    "curr15.2": ("decimal", {"totalDigits": "15", "fractionDigits": "2"}),
    "decimal28.9": ("decimal", {"totalDigits": "28", "fractionDigits": "9"}),
}

# DDIC structure -> its fields (name, simple type), all optional as in SAP's WSDLs
STRUCTURES: dict[str, list[tuple[str, str]]] = {
    "BAPISDHD1": [
        ("DOC_TYPE", "char4"),
        ("SALES_ORG", "char4"),
        ("DISTR_CHAN", "char2"),
        ("DIVISION", "char2"),
        ("REQ_DATE_H", "date10"),
        ("PURCH_DATE", "date10"),
        ("PMNTTRMS", "char4"),
        ("PURCH_NO_C", "char35"),
        ("PURCH_NO_S", "char35"),
        ("CURRENCY", "cuky5"),
    ],
    "BAPISDITM": [
        ("ITM_NUMBER", "numeric6"),
        ("MATERIAL", "char40"),
        ("PLANT", "char4"),
        ("TARGET_QTY", "quantum13.3"),
        ("TARGET_QU", "unit3"),
        ("ITEM_CATEG", "char4"),
        ("REASON_REJ", "char2"),
    ],
    "BAPISDITMX": [("ITM_NUMBER", "numeric6"), ("UPDATEFLAG", "char1"), ("REASON_REJ", "char1")],
    "BAPISDH1X": [("UPDATEFLAG", "char1")],
    "BAPIPARNR": [("PARTN_ROLE", "char2"), ("PARTN_NUMB", "char10"), ("ITM_NUMBER", "numeric6")],
    "BAPISCHDL": [
        ("ITM_NUMBER", "numeric6"),
        ("SCHED_LINE", "numeric4"),
        ("REQ_DATE", "date10"),
        ("REQ_QTY", "quantum13.3"),
    ],
    "BAPICOND": [
        ("ITM_NUMBER", "numeric6"),
        ("COND_TYPE", "char4"),
        ("COND_VALUE", "decimal28.9"),
        ("CURRENCY", "cuky5"),
    ],
    "BAPIRET2": [
        ("TYPE", "char1"),
        ("ID", "char20"),
        ("NUMBER", "numeric3"),
        ("MESSAGE", "char220"),
        ("MESSAGE_V1", "char50"),
        ("MESSAGE_V2", "char50"),
        ("MESSAGE_V3", "char50"),
        ("MESSAGE_V4", "char50"),
        ("PARAMETER", "char30"),
        ("FIELD", "char30"),
        ("SYSTEM", "char10"),
    ],
    "BAPIRETURN": [
        ("TYPE", "char1"),
        ("CODE", "char5"),
        ("MESSAGE", "char220"),
        ("MESSAGE_V1", "char50"),
        ("MESSAGE_V2", "char50"),
        ("MESSAGE_V3", "char50"),
        ("MESSAGE_V4", "char50"),
    ],
    "BAPIORDERS": [
        ("SD_DOC", "char10"),
        ("ITM_NUMBER", "numeric6"),
        ("MATERIAL", "char40"),
        ("DOC_TYPE", "char4"),
        ("DOC_DATE", "date10"),
        ("REQ_QTY", "quantum15.3"),
        ("PURCH_NO", "char35"),
        ("SOLD_TO", "char10"),
        ("DLV_QTY", "quantum15.3"),
        ("NET_VAL_HD", "curr15.2"),
        ("DOC_STATUS", "char20"),
        ("SALES_ORG", "char4"),
        ("PLANT", "char4"),
        ("CURRENCY", "cuky5"),
    ],
    "BAPISDSTAT": [
        ("DOC_NUMBER", "char10"),
        ("ITM_NUMBER", "numeric6"),
        ("MATERIAL", "char40"),
        ("REQ_QTY", "quantum15.3"),
        ("DLV_QTY", "quantum15.3"),
        ("PURCH_NO", "char35"),
        ("SOLD_TO", "char10"),
        ("PRC_STAT_H", "char1"),
        ("DLV_STAT_H", "char1"),
        ("REA_FOR_RE", "char2"),
        ("DOC_DATE", "date10"),
    ],
}
TABLES = (
    "BAPISDITM",
    "BAPISDITMX",
    "BAPIPARNR",
    "BAPISCHDL",
    "BAPICOND",
    "BAPIRET2",
    "BAPIORDERS",
    "BAPISDSTAT",
)

# (parameter, type, required); tables are "TABLE_OF_<structure>"; alphabetical, as SAP writes them
Param = tuple[str, str, bool]
OPERATIONS: dict[str, tuple[list[Param], list[Param]]] = {
    "BAPI_SALESORDER_CREATEFROMDAT2": (
        [
            ("ORDER_CONDITIONS_IN", "TABLE_OF_BAPICOND", False),
            ("ORDER_HEADER_IN", "BAPISDHD1", True),
            ("ORDER_ITEMS_IN", "TABLE_OF_BAPISDITM", False),
            ("ORDER_PARTNERS", "TABLE_OF_BAPIPARNR", True),
            ("ORDER_SCHEDULES_IN", "TABLE_OF_BAPISCHDL", False),
            ("RETURN", "TABLE_OF_BAPIRET2", False),
        ],
        [("RETURN", "TABLE_OF_BAPIRET2", False), ("SALESDOCUMENT", "char10", True)],
    ),
    "BAPI_SALESORDER_GETLIST": (
        [
            ("CUSTOMER_NUMBER", "char10", False),
            ("PURCHASE_ORDER_NUMBER", "char35", False),
            ("SALES_ORDERS", "TABLE_OF_BAPIORDERS", False),
            ("SALES_ORGANIZATION", "char4", False),
        ],
        [("RETURN", "BAPIRETURN", True), ("SALES_ORDERS", "TABLE_OF_BAPIORDERS", False)],
    ),
    "BAPI_SALESORDER_GETSTATUS": (
        [("SALESDOCUMENT", "char10", True), ("STATUSINFO", "TABLE_OF_BAPISDSTAT", False)],
        [("RETURN", "BAPIRETURN", True), ("STATUSINFO", "TABLE_OF_BAPISDSTAT", False)],
    ),
    "BAPI_SALESORDER_CHANGE": (
        [
            ("ORDER_HEADER_INX", "BAPISDH1X", True),
            ("ORDER_ITEM_IN", "TABLE_OF_BAPISDITM", False),
            ("ORDER_ITEM_INX", "TABLE_OF_BAPISDITMX", False),
            ("RETURN", "TABLE_OF_BAPIRET2", False),
            ("SALESDOCUMENT", "char10", True),
        ],
        [("RETURN", "TABLE_OF_BAPIRET2", False)],
    ),
}


def _simple_types() -> list[str]:
    out = []
    for name, (base, facets) in SIMPLE.items():
        rules = "".join(f"<xsd:{k} value={quoteattr(v)}/>" for k, v in facets.items())
        out.append(
            f'<xsd:simpleType name="{name}"><xsd:restriction base="xsd:{base}">{rules}'
            "</xsd:restriction></xsd:simpleType>"
        )
    return out


def _complex_types() -> list[str]:
    out = []
    for name, fields in STRUCTURES.items():
        elements = "".join(
            f'<xsd:element name="{field}" type="tns:{kind}" minOccurs="0"/>'
            for field, kind in fields
        )
        out.append(
            f'<xsd:complexType name="{name}"><xsd:sequence>{elements}'
            "</xsd:sequence></xsd:complexType>"
        )
    for name in TABLES:
        out.append(
            f'<xsd:complexType name="TABLE_OF_{name}"><xsd:sequence>'
            f'<xsd:element name="item" type="tns:{name}" minOccurs="0" maxOccurs="unbounded"/>'
            "</xsd:sequence></xsd:complexType>"
        )
    return out


def _element(name: str, params: list[Param]) -> str:
    optional = ' minOccurs="0"'
    elements = "".join(
        f'<xsd:element name="{param}" type="tns:{kind}"{"" if required else optional}/>'
        for param, kind, required in params
    )
    return (
        f'<xsd:element name="{name}"><xsd:complexType><xsd:sequence>{elements}'
        "</xsd:sequence></xsd:complexType></xsd:element>"
    )


def schema_text() -> str:
    parts = _simple_types() + _complex_types()
    for operation, (request, response) in OPERATIONS.items():
        parts += [_element(operation, request), _element(f"{operation}Response", response)]
    return (
        f'<xsd:schema attributeFormDefault="qualified" targetNamespace="{RFC_NS}" '
        f'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="{RFC_NS}">'
        + "".join(parts)
        + "</xsd:schema>"
    )


def wsdl_text(address: str) -> str:
    """The service's WSDL, with ``soap:address`` where it is served."""
    messages, port_ops, binding_ops = [], [], []
    for op in OPERATIONS:
        messages.append(
            f'<wsdl:message name="{op}"><wsdl:part name="parameters" element="tns:{op}"/>'
            f'</wsdl:message><wsdl:message name="{op}Response">'
            f'<wsdl:part name="parameter" element="tns:{op}Response"/></wsdl:message>'
        )
        port_ops.append(
            f'<wsdl:operation name="{op}"><wsdl:input message="tns:{op}"/>'
            f'<wsdl:output message="tns:{op}Response"/></wsdl:operation>'
        )
        binding_ops.append(
            f'<wsdl:operation name="{op}">'
            f'<soap:operation soapAction="{RFC_NS}:{SERVICE}:{op}Request" style="document"/>'
            '<wsdl:input><soap:body use="literal"/></wsdl:input>'
            '<wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<wsdl:definitions targetNamespace="{RFC_NS}" '
        'xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" '
        'xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" '
        f'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="{RFC_NS}">'
        f"<wsdl:types>{schema_text()}</wsdl:types>"
        + "".join(messages)
        + f'<wsdl:portType name="{SERVICE}">{"".join(port_ops)}</wsdl:portType>'
        f'<wsdl:binding name="{SERVICE}_BINDING" type="tns:{SERVICE}">'
        '<soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>'
        f"{''.join(binding_ops)}</wsdl:binding>"
        f'<wsdl:service name="{SERVICE}_SERVICE"><wsdl:port name="{SERVICE}_BINDING" '
        f'binding="tns:{SERVICE}_BINDING"><soap:address location={quoteattr(address)}/>'
        "</wsdl:port></wsdl:service></wsdl:definitions>"
    )


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    """The WSDL's types, compiled once, to validate incoming operation elements."""
    return etree.XMLSchema(etree.fromstring(schema_text().encode()))
