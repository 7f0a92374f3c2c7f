"""The three OData V2 services' models, written out as their ``$metadata``
(EDMX 1.0 with SAP's annotations) and used to write entities as V2 JSON:
decimals as strings, ``Edm.DateTime`` as ``/Date(ms)/``, ``Edm.DateTimeOffset``
as ``/Date(ms+0000)/``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import quoteattr


@dataclass(frozen=True)
class Prop:
    name: str
    kind: str  # Edm type without "Edm."
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    date_only: bool = False  # sap:display-format="Date"
    key: bool = False


@dataclass(frozen=True)
class Nav:
    name: str
    target: str  # entity type name
    many: bool = True


@dataclass(frozen=True)
class EntityType:
    name: str  # the entity set's name; the type is name + "Type"
    props: list[Prop]
    navs: list[Nav] = field(default_factory=list)
    creatable: bool = False
    updatable: bool = False

    @property
    def keys(self) -> list[Prop]:
        return [p for p in self.props if p.key]


def S(name: str, length: int, *, key: bool = False) -> Prop:  # noqa: N802 - reads like the model
    return Prop(name, "String", max_length=length, key=key)


def D(name: str, precision: int, scale: int) -> Prop:  # noqa: N802
    return Prop(name, "Decimal", precision=precision, scale=scale)


SALES_ORDER = EntityType(
    "A_SalesOrder",
    [
        S("SalesOrder", 10, key=True),
        S("SalesOrderType", 4),
        S("SalesOrganization", 4),
        S("DistributionChannel", 2),
        S("OrganizationDivision", 2),
        S("SoldToParty", 10),
        Prop("CreationDate", "DateTime", precision=0, date_only=True),
        Prop("LastChangeDateTime", "DateTimeOffset", precision=7),
        S("PurchaseOrderByCustomer", 35),
        S("PurchaseOrderByShipToParty", 35),
        Prop("RequestedDeliveryDate", "DateTime", precision=0, date_only=True),
        D("TotalNetAmount", 16, 3),
        S("TransactionCurrency", 5),
        S("OverallSDProcessStatus", 1),
        S("OverallTotalDeliveryStatus", 1),
        S("OverallSDDocumentRejectionSts", 1),
    ],
    [Nav("to_Item", "A_SalesOrderItem"), Nav("to_Partner", "A_SalesOrderHeaderPartner")],
    creatable=True,
    updatable=True,
)
SALES_ORDER_ITEM = EntityType(
    "A_SalesOrderItem",
    [
        S("SalesOrder", 10, key=True),
        S("SalesOrderItem", 6, key=True),
        S("SalesOrderItemCategory", 4),
        S("Material", 40),
        S("ProductionPlant", 4),
        D("RequestedQuantity", 15, 3),
        S("RequestedQuantityUnit", 3),
        D("NetAmount", 16, 3),
        S("TransactionCurrency", 5),
        S("SalesDocumentRjcnReason", 2),
        S("DeliveryStatus", 1),
    ],
    [Nav("to_PricingElement", "A_SalesOrderItemPrElement")],
    creatable=True,
    updatable=True,
)
PARTNER = EntityType(
    "A_SalesOrderHeaderPartner",
    [S("SalesOrder", 10, key=True), S("PartnerFunction", 2, key=True), S("Customer", 10)],
    creatable=True,
)
PRICING_ELEMENT = EntityType(
    "A_SalesOrderItemPrElement",
    [
        S("SalesOrder", 10, key=True),
        S("SalesOrderItem", 6, key=True),
        S("PricingProcedureStep", 3, key=True),
        S("PricingProcedureCounter", 3, key=True),
        S("ConditionType", 4),
        D("ConditionRateValue", 24, 9),
        S("ConditionCurrency", 5),
    ],
    creatable=True,
)
STOCK = EntityType(
    "A_MatlStkInAcctMod",
    [
        S("Material", 40, key=True),
        S("Plant", 4, key=True),
        S("StorageLocation", 4, key=True),
        S("Batch", 10, key=True),
        S("InventoryStockType", 2, key=True),
        D("MatlWrhsStkQtyInMatlBaseUnit", 31, 14),
        S("MaterialBaseUnit", 3),
    ],
)
BILLING = EntityType(
    "A_BillingDocument",
    [
        S("BillingDocument", 10, key=True),
        S("BillingDocumentType", 4),
        S("SalesOrganization", 4),
        Prop("BillingDocumentDate", "DateTime", precision=0, date_only=True),
        Prop("LastChangeDateTime", "DateTimeOffset", precision=7),
        Prop("BillingDocumentIsCancelled", "Boolean"),
        S("SoldToParty", 10),
        D("TotalNetAmount", 16, 3),
        D("TaxAmount", 16, 3),
        D("TotalGrossAmount", 16, 3),
        S("TransactionCurrency", 5),
    ],
)


@dataclass(frozen=True)
class Service:
    name: str
    types: list[EntityType]

    def entity(self, name: str) -> EntityType | None:
        return next((t for t in self.types if t.name == name), None)


SERVICES = {
    s.name: s
    for s in (
        Service("API_SALES_ORDER_SRV", [SALES_ORDER, SALES_ORDER_ITEM, PARTNER, PRICING_ELEMENT]),
        Service("API_MATERIAL_STOCK_SRV", [STOCK]),
        Service("API_BILLING_DOCUMENT_SRV", [BILLING]),
    )
}


def _prop_xml(p: Prop) -> str:
    attrs = {"Name": p.name, "Type": f"Edm.{p.kind}", "Nullable": "false" if p.key else "true"}
    if p.max_length is not None:
        attrs["MaxLength"] = str(p.max_length)
    if p.precision is not None:
        attrs["Precision"] = str(p.precision)
    if p.scale is not None:
        attrs["Scale"] = str(p.scale)
    if p.date_only:
        attrs["sap:display-format"] = "Date"
    return "<Property " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + "/>"


def _association(owner: EntityType, nav: Nav) -> str:
    return f"assoc_{owner.name}_{nav.name}"


def metadata(service: Service) -> str:
    ns = service.name
    types, assocs, sets, assoc_sets = [], [], [], []
    for t in service.types:
        keys = "".join(f'<PropertyRef Name="{p.name}"/>' for p in t.keys)
        navs = "".join(
            f'<NavigationProperty Name="{n.name}" Relationship="{ns}.{_association(t, n)}" '
            f'FromRole="FromRole_{_association(t, n)}" ToRole="ToRole_{_association(t, n)}"/>'
            for n in t.navs
        )
        types.append(
            f'<EntityType Name="{t.name}Type" sap:content-version="1"><Key>{keys}</Key>'
            + "".join(_prop_xml(p) for p in t.props)
            + navs
            + "</EntityType>"
        )
        flags = (
            f'sap:creatable="{str(t.creatable).lower()}" '
            f'sap:updatable="{str(t.updatable).lower()}" '
            'sap:deletable="false" sap:content-version="1"'
        )
        sets.append(f'<EntitySet Name="{t.name}" EntityType="{ns}.{t.name}Type" {flags}/>')
        for n in t.navs:
            name = _association(t, n)
            assocs.append(
                f'<Association Name="{name}" sap:content-version="1">'
                f'<End Type="{ns}.{t.name}Type" Multiplicity="1" Role="FromRole_{name}"/>'
                f'<End Type="{ns}.{n.target}Type" Multiplicity="{"*" if n.many else "0..1"}" '
                f'Role="ToRole_{name}"/></Association>'
            )
            assoc_sets.append(
                f'<AssociationSet Name="{name}_set" Association="{ns}.{name}" '
                'sap:creatable="false" sap:updatable="false" sap:deletable="false" '
                'sap:content-version="1">'
                f'<End EntitySet="{t.name}" Role="FromRole_{name}"/>'
                f'<End EntitySet="{n.target}" Role="ToRole_{name}"/></AssociationSet>'
            )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" '
        'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" '
        'xmlns:sap="http://www.sap.com/Protocols/SAPData">'
        '<edmx:DataServices m:DataServiceVersion="2.0">'
        f'<Schema Namespace="{ns}" xml:lang="en" sap:schema-version="1" '
        'xmlns="http://schemas.microsoft.com/ado/2008/09/edm">'
        + "".join(types)
        + "".join(assocs)
        + f'<EntityContainer Name="{ns}_Entities" m:IsDefaultEntityContainer="true" '
        'sap:supported-formats="atom json xlsx">'
        + "".join(sets)
        + "".join(assoc_sets)
        + "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"
    )


def json_value(prop: Prop, value: Any) -> Any:
    """A property's value as V2 JSON writes it."""
    if value is None:
        return None
    if prop.kind == "Decimal":
        return value if isinstance(value, str) else format(Decimal(value), "f")
    if prop.kind == "DateTime":
        return f"/Date({int(value)})/"
    if prop.kind == "DateTimeOffset":
        return f"/Date({int(value)}+0000)/"
    return value


def key_text(t: EntityType, row: dict[str, Any]) -> str:
    keys = t.keys
    if len(keys) == 1:
        return f"'{row[keys[0].name]}'"
    return ",".join(f"{p.name}='{row[p.name]}'" for p in keys)


def entity_json(base: str, service: Service, t: EntityType, row: dict[str, Any]) -> dict[str, Any]:
    uri = f"{base}/{t.name}({key_text(t, row)})"
    out: dict[str, Any] = {
        "__metadata": {"id": uri, "uri": uri, "type": f"{service.name}.{t.name}Type"}
    }
    for p in t.props:
        out[p.name] = json_value(p, row.get(p.name))
    for nav in t.navs:
        children = row.get(nav.name)
        target = service.entity(nav.target)
        if children is None or target is None:
            out[nav.name] = {"__deferred": {"uri": f"{uri}/{nav.name}"}}
        else:
            out[nav.name] = {"results": [entity_json(base, service, target, c) for c in children]}
    return out
