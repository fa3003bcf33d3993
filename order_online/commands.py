"""``bench --site SITE order-online rebuild-summaries``: the reports' summaries again from the orders."""

import click
from frappe.commands import get_site, pass_context


@click.group("order-online")
def order_online():
	"""Order Online maintenance."""


@order_online.command("rebuild-summaries")
@pass_context
def rebuild_summaries(context):
	"""Rebuild the order reports' summaries and fulfilment stages from the submitted Sales Orders."""
	import frappe

	from order_online.analytics.summary import rebuild

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		counted = rebuild(progress=True)
		frappe.db.commit()
		click.echo(f"{counted} submitted orders summarised")
	finally:
		frappe.destroy()


commands = [order_online]
