"""The simulator's ASGI application: the SOAP face (WSDL and endpoint) and the
OData face, over one SAP system."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from simulators.sap import odata, wsdl
from simulators.sap.edge import Edge
from simulators.sap.soap import SoapService

ODATA_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "MERGE", "DELETE"]


def create_app(edge: Edge, odata_service: odata.ODataService) -> Starlette:
    soap = SoapService(edge)
    return Starlette(
        routes=[
            Route(wsdl.SOAP_PATH, soap.wsdl, methods=["GET"]),
            Route(wsdl.SOAP_PATH, soap.call, methods=["POST"]),
            Route(
                f"{odata.ROOT}/{{service}}/{{path:path}}",
                odata_service.handle,
                methods=ODATA_METHODS,
            ),
        ]
    )
