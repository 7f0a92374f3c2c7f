"""A FLUX-shaped warehouse (WMS) over real sockets: outbound orders
(``putSOData``, ``cancelSOData``), inventory (``queryINVData``), shipment
confirmations pushed (``confirmSOData``) and polled, and fault injection.
See docs/connectors/wms.md."""

from simulators.flux_wms.server import RunningSimulator, WmsCredentials, running_simulator

__all__ = ["RunningSimulator", "WmsCredentials", "running_simulator"]
