"""Business alerts: rule evaluation, the alert lifecycle, replenishment.

``conditions`` find what holds now (one SQL query per kind), ``lifecycle``
turns that into open and resolved alerts, ``evaluate`` runs every kind.
"""
