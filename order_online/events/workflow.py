"""Workflow hooks: a site's own approval on Sales Order and the app's rules never run together."""

from order_online.approval import service as approval


def validate(doc, method=None) -> None:
	approval.refuse_workflow_beside_rules(doc)
