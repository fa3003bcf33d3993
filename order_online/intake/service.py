"""Order intake: a channel's delivery is verified, stored once and answered at once; a worker makes the
Sales Order through the same insert and submit as a desk order (entry rules, approval, allocation).

Durability: the Order Intake Log row is committed before the 202 answer, so an accepted order is never
lost; a worker takes a row with a locking read (``SKIP LOCKED``), so two workers never make one order
twice, and a worker killed mid-job leaves the row Accepted (its transaction rolled back) for
:func:`sweep` to enqueue again. Nothing assumes one worker: add workers on any machine sharing the
site's Redis and database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import frappe
from frappe import _
from frappe.utils import add_to_date, getdate, now_datetime, nowdate

from order_online.common.app_owned import app_writes
from order_online.domain import intake as domain
from order_online.domain.errors import (
	ChannelChangeRefused,
	ChannelDisabled,
	ChannelOrderNotFound,
	IntakeError,
	IntakeRateLimited,
	IntakeTooLarge,
	InvalidIntakePayload,
)
from order_online.intake import channels

LOG = "Order Intake Log"
QUEUE = "short"
STALE_AFTER_MIN = 10  # an Accepted row this old has lost its job (a worker killed, Redis flushed)


class Reply:
	"""What the endpoint answers: an HTTP status, a JSON body, extra headers."""

	def __init__(self, status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None):
		self.status, self.body, self.headers = status, dict(body), dict(headers or {})


def refusal(error: IntakeError, **extra) -> Reply:
	body: dict[str, Any] = {"ok": False, "error": error.render(_), "code": error.key}
	if isinstance(error, InvalidIntakePayload):
		body["errors"] = error.errors
	body.update(extra)
	return Reply(error.http_status, body)


# Receiving --------------------------------------------------------------------------------------


def handle_order(code: str | None, headers: Mapping[str, str], body: bytes, length: int | None) -> Reply:
	"""One delivery, verified before anything is read or stored."""
	try:
		if (length or 0) > domain.MAX_BODY_BYTES or len(body) > domain.MAX_BODY_BYTES:
			raise IntakeTooLarge(limit=domain.MAX_BODY_BYTES)
		channel = channels.load_channel(code)
		adapter = channels.adapter_for(channel)
		adapter.verify(headers, body)  # only a genuine sender learns more than 401 from here on
		if not channel.enabled:
			raise ChannelDisabled(channel=channel.name)
		check_rate(channel)
		order = adapter.parse(headers, body)
	except IntakeRateLimited as error:
		return Reply(429, refusal(error).body, {"Retry-After": str(error.params["seconds"])})
	except IntakeError as error:
		return refusal(error)
	if order is None:
		return Reply(200, {"ok": True, "ignored": True})  # a ping, a topic that carries no order
	return accept(channel, order, body)


def check_rate(channel) -> None:
	"""The channel's orders per minute, counted in Redis, so every web worker counts the same."""
	limit = channel.rate_limit_per_minute or 0
	if limit <= 0:
		return
	window, retry_after = domain.rate_window(time.time(), limit)
	key = frappe.cache.make_key(f"oo_intake_rate|{channel.name}|{window}")
	pipe = frappe.cache.pipeline()
	pipe.incr(key)
	pipe.expire(key, 120)
	count = pipe.execute()[0]
	if domain.over_limit(count, limit):
		raise IntakeRateLimited(channel=channel.name, limit=limit, seconds=retry_after)


def accept(channel, order: domain.IntakeOrder, body: bytes = b"") -> Reply:
	"""Store the delivery once (the unique intake key) and answer with its log; a repeat gets the
	first delivery's log back, however many copies arrive at once."""
	key = domain.intake_key(channel.name, order, body)
	if order.action != "create":
		refused = refuse_change_early(channel, order)
		if refused:
			return refused
	log = frappe.get_doc(
		{
			"doctype": LOG,
			"channel": channel.name,
			"platform": channel.platform,
			"external_order_id": order.external_order_id,
			"action": order.action,
			"status": "Accepted",
			"received_at": now_datetime(),
			"payload": order.model_dump_json(exclude_none=True),
			"intake_key": key,
		}
	)
	try:
		with app_writes():
			log.db_insert()  # a copy arriving at once waits here for this commit, then is a duplicate
	except frappe.UniqueValidationError:
		frappe.clear_messages()  # Frappe's "must be unique" message is not this answer
		return repeat(key)
	frappe.db.commit()  # accepted means stored: the answer below promises it
	enqueue(log.name)
	return Reply(202, {"ok": True, "log": log.name, "status": "Accepted"})


def repeat(key: str) -> Reply:
	frappe.db.rollback()  # a new snapshot, which holds what the first delivery committed
	row = frappe.db.get_value(LOG, {"intake_key": key}, ["name", "status", "sales_order"], as_dict=True)
	body = {"ok": True, "log": row.name, "status": row.status, "duplicate": True}
	if row.sales_order:
		body["sales_order"] = row.sales_order
	return Reply(202 if row.status == "Accepted" else 200, body)


def refuse_change_early(channel, order: domain.IntakeOrder) -> Reply | None:
	"""A change of an order that has shipped is refused now, so the channel hears it in the answer."""
	sales_order = existing_order(channel.name, order.external_order_id)
	if not sales_order:
		return None
	values = frappe.db.get_value(
		"Sales Order", sales_order, ["docstatus", "per_delivered", "status"], as_dict=True
	)
	try:
		domain.check_change(order.action, **values)
	except ChannelChangeRefused as error:
		return refusal(error, sales_order=sales_order)
	return None


def existing_order(channel: str, external_order_id: str) -> str | None:
	"""The channel's order of that number: a live one first, else the cancelled one (one query)."""
	rows = frappe.get_all(
		"Sales Order",
		filters={"oo_order_channel": channel, "oo_channel_order_no": external_order_id},
		order_by="docstatus desc",  # cancelled, submitted, draft: the first live one wins
		fields=["name", "docstatus"],
	)
	live = [r.name for r in rows if r.docstatus < 2]
	return live[0] if live else (rows[0].name if rows else None)


def enqueue(log: str) -> None:
	frappe.enqueue(
		"order_online.intake.service.process",
		queue=QUEUE,
		log=log,
		# no job id: a second job for one row is harmless (the locking read), and a dead worker's job
		# id would otherwise keep the sweep from enqueueing the row again
	)


# Processing -------------------------------------------------------------------------------------


def process(log: str, drain: bool = True) -> str | None:
	"""Make the order (or apply the change) of one Accepted row, then go on with the oldest waiting
	rows for up to :data:`DRAIN_BUDGET_S`: each RQ job is a fresh process that pays for loading
	ERPNext again, so under a surge one job makes many orders. Their own jobs then find them done."""
	status = _with_retries(log)
	if drain:
		deadline, busy = time.monotonic() + DRAIN_BUDGET_S, {log}
		while time.monotonic() < deadline:
			waiting = _next_waiting(busy)
			if not waiting:
				break
			if _with_retries(waiting) in (None, "Accepted"):
				busy.add(waiting)  # another worker has it (or it is left for later): not again here
	return status


DRAIN_BUDGET_S = 30


def _next_waiting(busy: set[str]) -> str | None:
	"""The oldest Accepted row, read without a lock: a locking range read would also lock the gaps of
	the index and hold up the endpoint's inserts. :func:`_process` locks the row itself by its name."""
	frappe.db.commit()  # a new snapshot: what other workers finished since
	table = frappe.qb.DocType(LOG)
	rows = (
		frappe.qb.from_(table)
		.select(table.name)
		.where(table.status == "Accepted")
		.where(table.name.notin(list(busy)))
		.orderby(table.creation)
		.limit(1)
		.run(pluck=True)
	)
	return rows[0] if rows else None


RETRIED = (channels.RaceLost, frappe.QueryDeadlockError, frappe.QueryTimeoutError)


def _with_retries(log: str) -> str | None:
	"""A lost race (another order made the buyer's customer) or a deadlock: the whole transaction is
	rolled back and the row made again from a fresh snapshot; the third time it is left for later."""
	for _attempt in range(3):
		try:
			return _process(log)
		except RETRIED:
			frappe.db.rollback()
	try:
		return _process(log, last_attempt=True)
	except RETRIED:
		frappe.db.rollback()  # still Accepted: the next drain or the sweep takes it
		return "Accepted"


def _process(log: str, last_attempt: bool = False) -> str | None:
	table = frappe.qb.DocType(LOG)
	rows = (
		frappe.qb.from_(table)
		.select(table.name, table.status)
		.where(table.name == log)
		.for_update(skip_locked=True)  # another worker has it: it will finish it
		.run(as_dict=True)
	)
	if not rows or rows[0].status != "Accepted":
		return rows[0].status if rows else None
	doc = frappe.get_doc(LOG, log)
	channel = channels.channel_for_log(doc.channel)
	previous_user = frappe.session.user
	frappe.db.savepoint("oo_intake_process")
	values: dict[str, Any] = {"attempts": (doc.attempts or 0) + 1, "processed_at": now_datetime()}
	try:
		frappe.set_user(channels.integration_user(channel))
		order = domain.IntakeOrder.model_validate_json(doc.payload)
		values.update(apply(channel, order))
		values.update(status="Processed", error=None)
	except channels.RaceLost:
		if not last_attempt:
			raise
		frappe.db.rollback(save_point="oo_intake_process")
		values.update(status="Failed", error=_("Another order kept making the same customer; replay it."))
	except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
		frappe.db.rollback()  # the whole transaction is gone; the row stays Accepted for the sweep
		frappe.set_user(previous_user)
		raise
	except Exception as error:
		frappe.db.rollback(save_point="oo_intake_process")
		values.update(status=_failure_status(error), error=_message(error))
		if not isinstance(error, IntakeError | frappe.ValidationError):
			frappe.log_error(title=f"Order intake {log}", reference_doctype=LOG, reference_name=log)
	finally:
		frappe.set_user(previous_user)
		frappe.clear_messages()
	frappe.db.set_value(LOG, log, values, update_modified=True)
	frappe.db.commit()
	return values["status"]


def _failure_status(error: Exception) -> str:
	return "Refused" if isinstance(error, ChannelChangeRefused) else "Failed"


def _message(error: Exception) -> str:
	if isinstance(error, IntakeError):
		return error.render(_)
	return frappe.utils.strip_html(str(error))[:1000] or type(error).__name__


def apply(channel, order: domain.IntakeOrder) -> dict[str, Any]:
	if order.action == "create":
		return create_order(channel, order)
	sales_order = existing_order(channel.name, order.external_order_id)
	if not sales_order:
		raise ChannelOrderNotFound(
			channel=channel.name, external_order_id=order.external_order_id, action=order.action
		)
	doc = frappe.get_doc("Sales Order", sales_order, for_update=True)
	domain.check_change(
		order.action, docstatus=doc.docstatus, per_delivered=doc.per_delivered, status=doc.status
	)
	if order.action == "cancel":
		cancel_order(doc)
	else:
		change_address(doc, order)
	return {"sales_order": doc.name, "customer": doc.customer}


def create_order(channel, order: domain.IntakeOrder) -> dict[str, Any]:
	already = existing_order(channel.name, order.external_order_id)
	if already:  # made by an earlier row of this order (an import, a desk copy): never a second one
		return {"sales_order": already}
	settings = channels.settings_of(channel)
	if order.shipping_charge and not settings.shipping_account:
		frappe.throw(
			_(
				"The order has a shipping charge of {0}, but channel {1} has no Shipping Charge Account."
			).format(order.shipping_charge, channel.name)
		)
	lines = channels.resolve_lines(channel, order)
	customer = channels.match_customer(channel, order)
	address = channels.shipping_address(customer, order.shipping_address)
	values = domain.sales_order_values(order, settings, customer, lines, getdate(nowdate()))
	doc = frappe.get_doc(values)
	if address:
		doc.shipping_address_name = address
		doc.customer_address = doc.customer_address or address
	if settings.taxes_and_charges:
		_prepend_template_taxes(doc, settings.taxes_and_charges)
	with app_writes():  # the channel's order number is the app's to write
		doc.insert()
		doc.submit()
	if order.note:
		doc.add_comment("Comment", _("The buyer's note: {0}").format(frappe.utils.escape_html(order.note)))
	return {"sales_order": doc.name, "customer": customer}


def _prepend_template_taxes(doc, template: str) -> None:
	from erpnext.controllers.accounts_controller import get_taxes_and_charges

	rows = get_taxes_and_charges("Sales Taxes and Charges Template", template) or []
	extra = [row.as_dict() for row in doc.get("taxes") or []]
	doc.set("taxes", [])
	for row in [*rows, *extra]:
		doc.append("taxes", row)


def cancel_order(doc) -> None:
	"""Through ERPNext's own cancel: the order's open Pick Lists first, as a user would."""
	for pick_list in frappe.get_all(
		"Pick List Item",
		filters={"sales_order": doc.name, "docstatus": ["<", 2]},
		pluck="parent",
		distinct=True,
	):
		pick = frappe.get_doc("Pick List", pick_list)
		if pick.docstatus == 1:
			pick.cancel()
		elif pick.docstatus == 0:
			pick.delete()
	doc.reload()
	if doc.docstatus == 1:
		doc.cancel()


def change_address(doc, order: domain.IntakeOrder) -> None:
	"""A new shipping address before shipping: ERPNext lets a submitted order's addresses change."""
	address = channels.shipping_address(doc.customer, order.shipping_address)
	if doc.shipping_address_name == address:
		return
	doc.shipping_address_name = address
	from frappe.contacts.doctype.address.address import get_address_display

	doc.shipping_address = get_address_display(address)
	doc.save()  # update after submit: the app's hooks see it as any edit


# Failed rows, stale rows ------------------------------------------------------------------------


def replay(logs: list[str]) -> dict[str, str]:
	"""Failed rows back to Accepted and processed again (after the cause was fixed); each row's status
	(one read and one update for all of them)."""
	statuses = dict(
		frappe.get_all(LOG, filters={"name": ["in", logs]}, fields=["name", "status"], as_list=True)
	)
	again = [log for log in logs if statuses.get(log) in ("Failed", "Accepted")]
	if again:
		table = frappe.qb.DocType(LOG)
		frappe.qb.update(table).set(table.status, "Accepted").set(table.error, None).set(
			table.modified, now_datetime()
		).where(table.name.isin(again)).run()
		frappe.db.commit()
		for log in again:
			enqueue(log)
	return {log: "Accepted" if log in again else statuses.get(log) for log in logs}


def sweep() -> int:
	"""Scheduled: rows Accepted for too long lost their job; enqueue them again."""
	cutoff = add_to_date(now_datetime(), minutes=-STALE_AFTER_MIN)
	stale = frappe.get_all(
		LOG, filters={"status": "Accepted", "modified": ["<", cutoff]}, pluck="name", limit=5000
	)
	for log in stale:
		enqueue(log)
	return len(stale)


def as_json(reply: Reply) -> str:
	return json.dumps(reply.body, ensure_ascii=False, default=str)


# Pulling (platforms that are read, not pushed: Qimen) -------------------------------------------


def pull_due() -> None:
	"""Scheduled: each enabled pull channel's pull, on the long queue, one at a time per channel."""
	from order_online.integrations.channels import is_pull

	for row in frappe.get_all(
		"Order Channel", filters={"enabled": 1, "pull_enabled": 1}, fields=["name", "platform"]
	):
		if is_pull(row.platform):
			frappe.enqueue(
				"order_online.intake.service.pull_channel",
				queue="long",
				channel=row.name,
				job_id=f"oo-intake-pull-{row.name}",
				deduplicate=True,
			)


def pull_channel(channel: str) -> int:
	"""Read the channel's new and changed orders from its cursor; each page's orders are stored (one
	intake row each, the unique key making a re-read harmless) before the cursor moves past them."""
	doc = frappe.get_doc("Order Channel", channel)
	adapter = channels.adapter_for(doc)
	stored = 0
	try:
		for page in adapter.pull(doc.pull_cursor or None):
			for order in page.orders:
				accept(doc, order)
				stored += 1
			for delivery, error in getattr(page, "rejected", ()):
				_log_pull(doc, "Rejected", f"{delivery}: {error.render(_)}")
			frappe.db.set_value(
				"Order Channel",
				channel,
				{"pull_cursor": page.cursor, "last_pulled_at": now_datetime()},
				update_modified=False,
			)
			frappe.db.commit()
	except IntakeError as error:
		frappe.db.rollback()
		_log_pull(doc, "Failed", error.render(_))
		frappe.db.commit()
	return stored


def _log_pull(channel, status: str, error: str) -> None:
	frappe.get_doc(
		{
			"doctype": "Order Online Integration Log",
			"direction": "Inbound",
			"status": status,
			"action": "channel pull",
			"reference_doctype": "Order Channel",
			"reference_name": channel.name,
			"error": error[:2000],
		}
	).insert(ignore_permissions=True)
