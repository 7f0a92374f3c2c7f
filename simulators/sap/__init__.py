"""A simulator of SAP, the system behind ``connectors.sap``: its SOAP face
(SOAMANAGER-wrapped BAPIs, with the WSDL) and its OData V2 face (S/4HANA's
API_SALES_ORDER_SRV, API_MATERIAL_STOCK_SRV, API_BILLING_DOCUMENT_SRV), over
one set of books, on a real port, with fault injection.

    with running_simulator() as sap:
        sap.url, sap.user, sap.password     # what the connector is configured with
        sap.control.inject_fault("timeout")
        sap.control.ship("SO20260105-0001")

See docs/connectors/sap.md.
"""

from simulators.sap.control import SapControl, stock_key
from simulators.sap.faults import SapFault
from simulators.sap.server import DEFAULT_PASSWORD, DEFAULT_USER, RunningSap, running_simulator
from simulators.sap.state import DEMO_CUSTOMERS, DEMO_MATERIALS, SapSystem

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USER",
    "DEMO_CUSTOMERS",
    "DEMO_MATERIALS",
    "RunningSap",
    "SapControl",
    "SapFault",
    "SapSystem",
    "running_simulator",
    "stock_key",
]
