"""Workflow hooks: a site's own approval on Sales Order and the app's rules never run together."""

from order_online import approval


def validate(doc, method=None) -> None:
	approval.refuse_workflow_beside_rules(doc)
