"""The business rules of order_online in plain Python.

Nothing in this package imports frappe: the Frappe shell (controllers, hooks, API) loads documents,
calls in here and saves. That keeps every rule testable in tier 1 without a site.
"""
