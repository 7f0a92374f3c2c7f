"""The canonical DMS domain: dealers, catalog, prices, promotions, stock, orders.

This package imports only the standard library and itself. Rules here are
functions and value objects that can be tested without a database.
"""
