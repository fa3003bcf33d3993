"""Shipment tracking: from a submitted Delivery Note to events the order and the customer can see.

A Delivery Note with a carrier account and a tracking number gets one ``Shipment Tracking`` (a unique
key per account, carrier and waybill) and, where it fits, an ERPNext Shipment. Events arrive by push
(``order_online.api.tracking.push``, signature checked by the provider's adapter) or by polling
(scheduled, within each account's rate limit), and are merged by ``order_online.domain.tracking``:
duplicates ignored, the status never moves backwards. Every call and push is an Order Online Integration Log row
with secrets masked. The adapters in ``order_online.integrations.carriers`` speak the protocols.
"""

import json
from datetime import timedelta
from urllib.parse import quote

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import escape_html, get_datetime, get_url, now_datetime

from order_online.common.app_owned import app_writes
from order_online.common.db import attempt
from order_online.common.settings import get_settings
from order_online.domain import tracking as domain
from order_online.domain.region import delivery_address
from order_online.intake import callbacks
from order_online.integrations import carriers
from order_online.integrations.ratelimit import TokenBucket
from order_online.order_entry.regions import region_for_address
from order_online.portal.notify import email_customer

PUSH_METHOD = "order_online.api.tracking.push"
TRANSIT_HISTORY_TTL_S = 3600  # delivered shipments change slowly; every push and poll reads them


def callback_url(account: str | None) -> str:
	return get_url(f"/api/method/{PUSH_METHOD}?account={quote(account or '')}")


# Accounts and adapters -----------------------------------------------------------------------


def carrier_config(account) -> carriers.CarrierConfig:
	return carriers.CarrierConfig(
		provider=account.provider,
		base_url=account.base_url or "",  # empty: the adapter's own default URL
		api_key=account.get_password("api_key", raise_exception=False) or "",
		customer=account.customer_id or "",
		secret=account.get_password("webhook_secret", raise_exception=False) or "",
		callback_url=callback_url(account.name),
		rate_limit_per_s=account.rate_limit_per_s or 10.0,
	)


def adapter_for(account):
	config = carrier_config(account)
	return carriers.get_adapter(config), config


def call_carrier(config: carriers.CarrierConfig, method, *args):
	"""An adapter call. An error no adapter foresaw (a bug, a library's surprise) becomes a carrier error
	after an Error Log with the account's secrets masked: Frappe's own Error Log would print the
	variables of the failed call, the credentials among them."""
	try:
		return method(*args)
	except carriers.CarrierError:
		raise
	except Exception as error:
		log_error("Carrier call failed", config)
		raise carriers.TemporaryCarrierError(provider=config.provider, detail=type(error).__name__) from None


def log_error(title: str, config: carriers.CarrierConfig, **values) -> None:
	"""An Error Log of the exception being handled, its traceback with the account's secrets masked."""
	traceback = carriers.mask_secrets(frappe.get_traceback(with_context=True), config.secrets)
	frappe.log_error(title=title, message=traceback, **values)


def sent(adapter, config, asked: dict, failed: bool) -> dict:
	"""Log values of the call just made: the request sent and its HTTP status (only what was asked for
	when the adapter did not get as far as calling), and of a failed call the start of the answer (a
	successful one is in the events)."""
	call = {"request": json.dumps(asked), **carriers.take_call(adapter)}
	answer = call.pop("response", None)
	if failed and answer:
		call["response"] = domain.excerpt(carriers.mask_secrets(answer, config.secrets))  # masked, then cut
	return call


def log_call(account, action: str, status: str, config=None, **values) -> str:
	"""One Order Online Integration Log row; its texts pass through the adapters' masking of secrets."""
	secrets = config.secrets if config else ()
	for field in ("request", "response", "error"):
		if values.get(field) is not None:
			values[field] = carriers.mask_secrets(values[field], secrets)
	return (
		frappe.get_doc(
			{
				"doctype": "Order Online Integration Log",
				"carrier_account": account.name if account else None,
				"action": action,
				"status": status,
				"direction": "Inbound" if action == "push" else "Outbound",
				**values,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


# Starting ------------------------------------------------------------------------------------


def start_for_delivery_note(doc, method=None) -> None:
	"""Delivery Note submitted or updated with a carrier account and a tracking number."""
	if (
		doc.docstatus != 1
		or not doc.get("oo_carrier_account")
		or not (doc.get("oo_tracking_number") or "").strip()
	):
		return
	account = frappe.get_cached_doc("Carrier Account", doc.oo_carrier_account)
	code = doc.get("oo_carrier_code") or account.default_carrier_code
	number = doc.oo_tracking_number.strip()
	if frappe.db.exists(
		"Shipment Tracking", {"tracking_key": domain.tracking_key(account.name, code, number)}
	):
		return
	sales_order = next((d.against_sales_order for d in doc.items if d.against_sales_order), None)
	tracking = frappe.get_doc(
		{
			"doctype": "Shipment Tracking",
			"tracking_number": number,
			"carrier_account": account.name,
			"carrier_code": code,
			"delivery_note": doc.name,
			"sales_order": sales_order,
			"customer": doc.customer,
			"status": "Info Received",
			"shipped_at": now_datetime(),
			"promised_date": frappe.db.get_value("Sales Order", sales_order, "delivery_date")
			if sales_order
			else None,
			"origin_region": frappe.db.get_value("Warehouse", doc.items[0].warehouse, "oo_shipping_region")
			if doc.items
			else None,
			"destination_region": region_for_address(delivery_address(doc)),
			"next_poll_at": now_datetime(),
		}
	)
	with attempt("oo_tracking", frappe.DuplicateEntryError, frappe.UniqueValidationError) as tried:
		with app_writes():
			tracking.insert(ignore_permissions=True)
	if tried.error:
		return  # the same waybill started a moment ago by another save of this Delivery Note (unique key)
	tracking.db_set("shipment", make_shipment(doc, account, code, number), update_modified=False)
	update_eta(tracking)
	publish_status(tracking)
	notify_customer(tracking)  # shipped
	if account.use_push:
		frappe.enqueue(
			"order_online.tracking.service.subscribe",
			tracking=tracking.name,
			enqueue_after_commit=True,
			queue="short",
		)


def make_shipment(doc, account, code: str | None, number: str) -> str | None:
	"""An ERPNext Shipment for the Delivery Note, submitted when its data allows (parcels need a weight
	and the goods a value); otherwise none, and the tracking goes on without it."""
	pickup = frappe.db.get_value(
		"Dynamic Link",
		{"link_doctype": "Company", "link_name": doc.company, "parenttype": "Address"},
		"parent",
	)
	delivery = delivery_address(doc)
	if not pickup or not delivery or not doc.contact_person:
		return None  # ERPNext's Shipment needs both addresses and the receiver's contact
	shipment = frappe.get_doc(
		{
			"doctype": "Shipment",
			"pickup_from_type": "Company",
			"pickup_company": doc.company,
			"pickup_address_name": pickup,
			"delivery_to_type": "Customer",
			"delivery_customer": doc.customer,
			"delivery_address_name": delivery,
			"delivery_contact_name": doc.contact_person,
			"pickup_contact_person": frappe.session.user,
			"value_of_goods": doc.base_grand_total or 1,
			"pickup_date": doc.posting_date,
			"pickup_from": "09:00",
			"pickup_to": "17:00",
			"description_of_content": _("Goods of Delivery Note {0}").format(doc.name),
			"shipment_parcel": [
				{"length": 1, "width": 1, "height": 1, "weight": doc.total_net_weight or 1, "count": 1}
			],
			"shipment_delivery_note": [{"delivery_note": doc.name, "grand_total": doc.grand_total}],
			"service_provider": account.provider,
			"carrier": code,
			"awb_number": number,
		}
	)
	with attempt("oo_shipment") as tried:
		shipment.insert(ignore_permissions=True)
		shipment.submit()
	if tried.error:
		doc.add_comment(
			"Comment",
			_("No ERPNext Shipment was made for tracking number {0}: {1}").format(
				escape_html(number), escape_html(frappe.utils.strip_html(str(tried.error))[:500])
			),
		)
		return None
	return shipment.name


def subscribe(tracking: str) -> None:
	"""Background job: ask the provider to push this waybill's updates."""
	doc = frappe.get_doc("Shipment Tracking", tracking)
	account = frappe.get_cached_doc("Carrier Account", doc.carrier_account)
	adapter, config = adapter_for(account)
	request = {"tracking_number": doc.tracking_number, "carrier_code": doc.carrier_code}
	status, message = "Success", None
	try:
		call_carrier(config, adapter.subscribe, doc.tracking_number, doc.carrier_code)
	except carriers.CarrierError as error:
		status, message = "Failed", error.render(_)
	else:
		doc.db_set("subscribed", 1, update_modified=False)
	log_call(
		account,
		"subscribe",
		status,
		config,
		tracking_number=doc.tracking_number,
		**sent(adapter, config, request, status == "Failed"),
		error=message,
		reference_doctype="Shipment Tracking",
		reference_name=doc.name,
	)


# Applying what the carrier says --------------------------------------------------------------


def apply_result(doc, result) -> bool:
	"""Merge a carrier's answer into the tracking; True when the status changed."""
	known = {row.event_key for row in doc.events}
	current = _status(doc)
	since = _utc(doc.last_event_at) if doc.last_event_at else None
	merged = domain.merge(current, known, result.events, since=since)
	for event in merged.new_events:
		doc.append(
			"events",
			{
				"event_time": _local(event.time),
				"status": event.status.value,
				"description": event.description,
				"location": event.location,
				"raw_status": event.raw_status,
				"event_key": event.key,
			},
		)
	changed = merged.status is not None and merged.status != current
	if merged.new_events:
		latest = max(merged.new_events, key=lambda e: e.time)
		if not doc.last_event_at or _local(latest.time) >= get_datetime(doc.last_event_at):
			doc.last_event = latest.description
			doc.last_event_at = _local(latest.time)
	if merged.status is not None:
		doc.status = merged.status.value
		if merged.status == carriers.TrackingStatus.DELIVERED and not doc.delivered_at:
			doc.delivered_at = doc.last_event_at or now_datetime()
			frappe.cache.delete_value(transit_history_key(doc.carrier_account))  # one more sample
	if result.eta:
		doc.eta = _local(result.eta)
		doc.eta_confidence, doc.eta_basis = domain.HIGH, domain.BASIS_CARRIER
	if result.carrier_finished:
		doc.carrier_finished = 1
	if result.resubscribe:
		# Kuaidi100 "abort": its documentation says to subscribe again after about half an hour.
		doc.subscribed = 0
		doc.resubscribe_at = now_datetime() + RESUBSCRIBE_AFTER
	with app_writes():
		doc.save(ignore_permissions=True)
	update_eta(doc)  # keeps a carrier's estimate; the late flag follows either
	publish_status(doc)
	if changed:
		notify_customer(doc)
		if doc.status == "Delivered" and doc.sales_order:
			callbacks.order_event(
				frappe.get_doc("Sales Order", doc.sales_order),
				"delivered",
				carrier=doc.carrier_code or None,
				tracking_number=doc.tracking_number,
			)
	return changed


def _local(moment):
	"""Carrier times are UTC; the site stores naive datetimes in its own time zone."""
	from frappe.utils import convert_utc_to_system_timezone

	return convert_utc_to_system_timezone(moment).replace(tzinfo=None)


def _utc(value):
	"""A naive site datetime as an aware UTC one (what the domain compares carrier times with)."""
	from datetime import timezone
	from zoneinfo import ZoneInfo

	from frappe.utils import get_system_timezone

	return get_datetime(value).replace(tzinfo=ZoneInfo(get_system_timezone())).astimezone(timezone.utc)


def update_eta(doc) -> None:
	"""Predicted from this site's own deliveries when the carrier gives none; the late flag."""
	values = {}
	if doc.eta_basis != domain.BASIS_CARRIER:
		history = transit_history(doc.carrier_account, doc.origin_region, doc.destination_region)
		eta = domain.predict_eta(get_datetime(doc.shipped_at), **history)
		values = {
			"eta": eta.at.replace(tzinfo=None) if eta.at else None,
			"eta_confidence": eta.confidence,
			"eta_basis": eta.basis,
		}
	values["is_late"] = int(
		domain.is_late(doc.promised_date, values.get("eta", doc.eta), doc.delivered_at, now_datetime())
	)
	doc.db_set(values, update_modified=False)


def transit_history(account: str, origin: str | None, destination: str | None) -> dict:
	"""Transit hours of delivered shipments: same route, same destination, same carrier account."""
	key = transit_history_key(account)
	rows = frappe.cache.get_value(key, expires=True)
	if rows is None:
		rows = _delivered_transits(account)
		frappe.cache.set_value(key, rows, expires_in_sec=TRANSIT_HISTORY_TTL_S)
	return domain.transit_samples(rows, origin, destination)


def transit_history_key(account: str) -> str:
	return f"order_online:transit_history:{account}"


def _delivered_transits(account: str) -> list[tuple[str | None, str | None, float]]:
	rows = frappe.get_all(
		"Shipment Tracking",
		filters={"carrier_account": account, "status": "Delivered", "delivered_at": ("is", "set")},
		fields=["origin_region", "destination_region", "shipped_at", "delivered_at"],
		order_by="delivered_at desc",
		limit=2000,
	)
	return [
		(
			r.origin_region,
			r.destination_region,
			(get_datetime(r.delivered_at) - get_datetime(r.shipped_at)).total_seconds() / 3600,
		)
		for r in rows
	]


def publish_status(doc) -> None:
	"""The latest status and ETA on the Delivery Note and the Sales Order, for staff and customers,
	and on the ERPNext Shipment in its own words (its tracking fields are read-only after submit)."""
	values = {"oo_tracking_status": doc.status, "oo_tracking_eta": doc.eta}
	if doc.shipment:
		frappe.db.set_value(
			"Shipment",
			doc.shipment,
			{
				"tracking_status": domain.shipment_tracking_status(_status(doc)),
				"tracking_status_info": (doc.last_event or _(doc.status or ""))[:140],
			},
			update_modified=False,
		)
	if doc.delivery_note:
		frappe.db.set_value("Delivery Note", doc.delivery_note, values, update_modified=False)
	if doc.sales_order:
		frappe.db.set_value("Sales Order", doc.sales_order, values, update_modified=False)


def _status(doc) -> carriers.TrackingStatus | None:
	return carriers.TrackingStatus(doc.status) if doc.status else None


def notify_customer(doc) -> None:
	if (
		not get_settings().notify_customers_on_tracking
		or _status(doc) not in domain.NOTIFY_CUSTOMER_ON
		or not doc.sales_order
	):
		return
	email_customer(
		doc.sales_order,
		_("Your order {0}: {1}").format(doc.sales_order, _(doc.status)),
		_("Shipment {0}: {1}. {2}").format(doc.tracking_number, _(doc.status), doc.last_event or ""),
	)


# Push ----------------------------------------------------------------------------------------


def handle_push(account_name: str, headers, body: bytes, form) -> tuple[int, str, bytes]:
	"""A provider's callback: verified, merged, logged; the reply is what the provider expects.

	Anyone may post here, so a refusal costs little: only an excerpt of its body is kept, and past
	``REFUSED_PUSHES_PER_WINDOW`` refusals from one address a refusal writes nothing at all.
	"""
	account = frappe.db.exists(
		"Carrier Account", {"name": account_name or "", "enabled": 1}
	) and frappe.get_doc("Carrier Account", account_name)
	if not account:
		if not refusal_may_be_logged():
			return TOO_MANY_REFUSED
		log_call(
			None, "push", "Rejected", error=f"unknown carrier account {domain.excerpt(account_name, 140)!r}"
		)
		return 404, "application/json", b'{"ok": false}'
	adapter, config = adapter_for(account)
	raw = body.decode("utf-8", "replace") if body else json.dumps(dict(form))
	try:
		results = call_carrier(config, adapter.parse_push, headers, body, form)
	except carriers.CarrierError as error:
		if not refusal_may_be_logged():
			return TOO_MANY_REFUSED
		excerpt = domain.excerpt(carriers.mask_secrets(raw, config.secrets))  # masked whole, then cut
		log_call(account, "push", "Rejected", config, request=excerpt, error=error.render(_))
		return adapter.push_reply(False)
	unknown = []
	for result in results:
		name = frappe.db.get_value(
			"Shipment Tracking", {"carrier_account": account.name, "tracking_number": result.tracking_number}
		)
		if not name:
			unknown.append(result.tracking_number)
			continue
		doc = frappe.get_doc("Shipment Tracking", name, for_update=True)
		apply_result(doc, result)
		schedule_next_poll(doc)  # a pushed waybill is polled again only when pushes stop
	status = "Rejected" if unknown else "Success"
	log_call(
		account,
		"push",
		status,
		config,
		request=raw,
		tracking_number=", ".join(r.tracking_number for r in results)[:140],
		error=_("Unknown tracking number: {0}").format(", ".join(unknown)) if unknown else None,
	)
	# An unknown number is refused so the provider pushes it again (its Delivery Note may not be saved yet).
	return adapter.push_reply(not unknown)


TOO_MANY_REFUSED = (429, "application/json", b'{"ok": false, "error": "too many refused pushes"}')


@rate_limit(limit=domain.REFUSED_PUSHES_PER_WINDOW, seconds=domain.REFUSED_PUSH_WINDOW_S)
def _count_refused_push() -> None:
	"""Counted per sender address by Frappe's rate limiter (only when serving a request)."""


def refusal_may_be_logged() -> bool:
	try:
		_count_refused_push()
	except frappe.RateLimitExceededError:
		frappe.clear_messages()
		return False
	return True


# Polling -------------------------------------------------------------------------------------

POLL_BATCH = 500  # per account and run; the rest waits for the next run
RESUBSCRIBE_AFTER = timedelta(minutes=30)


def due_filters(field: str) -> list[list]:
	"""``field`` is set and past. (Frappe reads an empty datetime in ``<=`` as the earliest date, so
	an empty one, meaning "never again", would otherwise count as due.)"""
	return [[field, "is", "set"], [field, "<=", now_datetime()], ["carrier_finished", "=", 0]]


def poll_due() -> None:
	"""Scheduled: one long-queue job per enabled account with waybills due (none twice at a time)."""
	if not get_settings().enabled:
		return
	resubscribe_due()
	accounts = frappe.get_all(
		"Shipment Tracking",
		filters=due_filters("next_poll_at"),
		distinct=True,
		pluck="carrier_account",
	)
	for account in accounts:
		if frappe.db.get_value("Carrier Account", account, "enabled"):
			frappe.enqueue(
				"order_online.tracking.service.poll_account",
				account=account,
				queue="long",
				job_id=f"oo-poll-{account}",
				deduplicate=True,
			)


def resubscribe_due() -> None:
	"""Waybills whose provider stopped pushing (Kuaidi100 abort) are subscribed again when due."""
	for name in frappe.get_all(
		"Shipment Tracking",
		filters=[*due_filters("resubscribe_at"), ["subscribed", "=", 0]],
		pluck="name",
	):
		frappe.db.set_value("Shipment Tracking", name, "resubscribe_at", None, update_modified=False)
		frappe.enqueue(
			"order_online.tracking.service.subscribe", tracking=name, queue="short", enqueue_after_commit=True
		)


def poll_account(account: str) -> None:
	"""Poll the account's due waybills within its rate limit; each one commits on its own, so a
	failure costs only that waybill, and a 429 pauses the account for what the provider asks."""
	account_doc = frappe.get_doc("Carrier Account", account)
	adapter, config = adapter_for(account_doc)
	bucket = TokenBucket(config.rate_limit_per_s)
	due = frappe.get_all(
		"Shipment Tracking",
		filters=[*due_filters("next_poll_at"), ["carrier_account", "=", account]],
		order_by="next_poll_at",
		limit=POLL_BATCH,
		pluck="name",
	)
	for name in due:
		bucket.acquire()
		try:
			paused = poll_one(frappe.get_doc("Shipment Tracking", name), account_doc, adapter, config)
		except Exception:
			frappe.db.rollback()
			log_error(
				f"Tracking poll {name}", config, reference_doctype="Shipment Tracking", reference_name=name
			)
			continue
		frappe.db.commit()
		if paused:
			bucket.pause_for(paused)


def poll_one(doc, account=None, adapter=None, config=None) -> float:
	"""Ask the carrier about one waybill; merge, log, schedule the next poll. Returns the seconds the
	provider asked to wait (429), else 0."""
	account = account or frappe.get_cached_doc("Carrier Account", doc.carrier_account)
	if adapter is None:
		adapter, config = adapter_for(account)
	now = now_datetime()
	window_start, polls = domain.record_poll(
		now, get_datetime(doc.poll_window_start) if doc.poll_window_start else None, doc.polls_in_window or 0
	)
	request = {"tracking_number": doc.tracking_number, "carrier_code": doc.carrier_code}
	retry_until, wait = None, 0.0
	try:
		result = call_carrier(config, adapter.query, doc.tracking_number, doc.carrier_code)
	except carriers.RateLimited as error:
		wait = error.retry_after
		retry_until = now + timedelta(seconds=wait)
		failures, status, message = doc.failures, "Failed", error.render(_)
	except carriers.CarrierError as error:
		failures, status, message = (doc.failures or 0) + 1, "Failed", error.render(_)
	else:
		apply_result(doc, result)  # saves; its later writes go through db_set, so doc stays current
		failures, status, message = 0, "Success", None
	log_call(
		account,
		"query",
		status,
		config,
		tracking_number=doc.tracking_number,
		**sent(adapter, config, request, status == "Failed"),
		error=message,
		reference_doctype="Shipment Tracking",
		reference_name=doc.name,
	)
	schedule_next_poll(
		doc,
		now,
		retry_until,
		last_polled_at=now,
		poll_window_start=window_start,
		polls_in_window=polls,
		failures=failures,
	)
	return wait


def schedule_next_poll(doc, now=None, retry_until=None, **values) -> None:
	"""When the domain says this waybill may be polled next (None: never again), written in one
	update with ``values`` (what the poll itself changed)."""
	doc.update(values)
	doc.next_poll_at = domain.next_poll_at(
		now or now_datetime(),
		get_datetime(doc.last_polled_at) if doc.last_polled_at else None,
		get_datetime(doc.last_event_at) if doc.last_event_at else None,
		bool(doc.subscribed),
		_status(doc),
		doc.polls_in_window or 0,
		doc.failures or 0,
		window_start=get_datetime(doc.poll_window_start) if doc.poll_window_start else None,
		retry_until=retry_until,
		tracking_since=get_datetime(doc.shipped_at) if doc.shipped_at else None,
		carrier_finished=bool(doc.carrier_finished),
	)
	doc.db_set({"next_poll_at": doc.next_poll_at, **values}, update_modified=False)


def retry_call(entry) -> str:
	"""Run a failed outbound call again; the old row is marked Retried, the new one tells the outcome."""
	if not domain.retryable(entry.direction, entry.status, entry.reference_doctype):
		frappe.throw(_("Only failed queries and subscriptions can be retried."))
	doc = frappe.get_doc("Shipment Tracking", entry.reference_name)
	if entry.action == "subscribe":
		subscribe(doc.name)
	else:
		poll_one(doc)
	entry.db_set("status", "Retried", update_modified=False)
	latest = frappe.get_all(
		"Order Online Integration Log",
		filters={"reference_name": doc.name, "name": ("!=", entry.name)},
		order_by="creation desc",
		limit=1,
		pluck="name",
	)
	if latest:
		frappe.db.set_value(
			"Order Online Integration Log", latest[0], "retry_of", entry.name, update_modified=False
		)
	return latest[0] if latest else ""
