"""Simulators of the outside systems (ERPs, WMS), speaking their protocols over
real sockets, with fault injection. Tests and the demo use them; the hub's
production code never imports them."""
