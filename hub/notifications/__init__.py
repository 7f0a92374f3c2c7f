"""Signed webhook notifications to dealers' own systems (docs/notifications.md).

events.notify(...)       queue an event, inside the transaction of its change
sender.deliver_due(...)  post due deliveries, signed; retry with backoff; log every attempt
signing.verify(...)      what a receiver runs on each request
subscriptions            who may subscribe, see and change what
"""
