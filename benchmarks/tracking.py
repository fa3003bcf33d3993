"""Tracking refresh benchmark (no site needed): poll every waybill once, within the carrier's limit.

    python -m benchmarks.tracking [--shipments 10000] [--rate 200] [--workers 16] [--seed 7]

A local Kuaidi100 (``order_online.tests.carrier_servers.Kuaidi100Server``, in its own process so that it is
not the bottleneck) checks every signature and enforces a token bucket of ``--rate`` requests/s with
a burst of ``rate / 10`` (like nginx ``limit_req ... burst=20 nodelay`` at 200/s); each request over
it is answered 429 and counted as a violation. The client polls all waybills from a thread pool
through ``Kuaidi100Adapter``, one shared ``TokenBucket(rate)`` (pausing on a 429 for its
Retry-After) and merges what comes back with ``domain.tracking.merge``.

Waybills, each generated from ``Random(f"{seed}:{i}")``:
- carrier uniform over 6 Kuaidi100 codes; shipped at a uniform time in a 10-day window;
- 30 %: an "order placed" event first; then picked up; then 1-6 in-transit scans 2-20 h apart;
- then 80 % out for delivery and delivered; 8 % out for delivery, a failed attempt (exception),
  out for delivery again and delivered; 5 % an exception and a return (returning, then signed back
  by the sender); 7 % still in transit;
- Kuaidi100 lists the rows newest first in China time with their ``statusCode``; 15 % of waybills
  repeat one row (carriers do);
- 25 % of waybills had a signed push of their first events before the poll (parsed by
  ``parse_push`` and merged first, so the poll's copy of those events must not be stored twice).

The expected events are built in UTC by the generator, independently of the adapter, so a wrong
time zone or status mapping shows up as lost events. Lost events: expected but not stored;
duplicates: events stored twice. The last line is
``RESULT tracking_10k_s=<seconds for the polling> rate_limit_violations=<429s> lost_events=<n>``.
Target: <= 60 s for 10,000 at 200 requests/s (50 s is the floor for one request per waybill).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import requests
from requests.adapters import HTTPAdapter

from order_online.domain.tracking import TrackingEvent, TrackingStatus, merge, status_from
from order_online.integrations.carriers import (
	CarrierConfig,
	Kuaidi100Adapter,
	RateLimited,
	TemporaryCarrierError,
)
from order_online.integrations.carriers.kuaidi100 import CHINA_TIME, md5_sign
from order_online.integrations.ratelimit import TokenBucket
from order_online.tests.carrier_servers import Kuaidi100Server, kuaidi100_result, kuaidi100_row

S = TrackingStatus
CARRIERS = ["shunfeng", "zhongtong", "yuantong", "yunda", "jd", "ems"]
CITIES = ["上海市", "杭州市", "广州市", "深圳市", "北京市", "成都市", "武汉市", "西安市", "南京市"]
START = datetime(2026, 11, 1, tzinfo=timezone.utc)
CUSTOMER, KEY, SALT = "BENCH-CUSTOMER", "BENCH-KEY", "BENCH-SALT"
# Kuaidi100 status code and word for each kind of step.
STEPS = {
	"placed": (S.INFO_RECEIVED, "101", "揽收", "已下单"),
	"picked": (S.PICKED_UP, "103", "揽收", "已揽收"),
	"transit": (S.IN_TRANSIT, "1002", "在途", "已到达转运中心"),
	"out": (S.OUT_FOR_DELIVERY, "5", "派件", "快递员正在派件"),
	"failed": (S.EXCEPTION, "204", "疑难", "派件异常，联系不上收件人"),
	"delivered": (S.DELIVERED, "301", "签收", "已签收，签收人：本人"),
	"returning": (S.RETURNED, "6", "退回", "快件退回中"),
	"returned": (S.RETURNED, "4", "退签", "发件人已签收退件"),
}
STATE_OF = {"101": "1", "103": "1", "1002": "0", "5": "5", "204": "2", "301": "3", "6": "6", "4": "4"}


@dataclass
class Waybill:
	number: str
	com: str
	events: list[TrackingEvent]  # expected, in UTC
	rows: list[dict]  # as Kuaidi100 lists them
	state: str
	pushed: int  # how many first events were pushed before the poll


def waybill(seed: int, i: int) -> Waybill:
	rng = random.Random(f"{seed}:{i}")
	com = rng.choice(CARRIERS)
	moment = START + timedelta(seconds=rng.randrange(10 * 86400))
	kinds = (["placed"] if rng.random() < 0.3 else []) + ["picked"] + ["transit"] * rng.randint(1, 6)
	outcome = rng.random()
	if outcome < 0.80:
		kinds += ["out", "delivered"]
	elif outcome < 0.88:
		kinds += ["out", "failed", "out", "delivered"]
	elif outcome < 0.93:
		kinds += ["failed", "returning", "returned"]
	events, rows = [], []
	for kind in kinds:
		moment += timedelta(seconds=rng.randrange(2 * 3600, 20 * 3600))
		status, code, word, text = STEPS[kind]
		city = rng.choice(CITIES)
		description = f"[{city}] {text}"
		events.append(TrackingEvent(moment, status, description, city))
		china = moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M:%S")
		rows.append(kuaidi100_row(china, description, word, code, city))
	rows.reverse()  # newest first
	if rng.random() < 0.15:
		rows.insert(rng.randrange(len(rows) + 1), dict(rng.choice(rows)))
	pushed = rng.randint(1, len(events)) if rng.random() < 0.25 else 0
	return Waybill(f"{com[:2].upper()}{i:010d}", com, events, rows, STATE_OF[rows[0]["statusCode"]], pushed)


def _lookup(seed: int):
	def lookup(com: str, number: str) -> dict | None:
		try:
			bill = waybill(seed, int(number[-10:]))
		except ValueError:
			return None
		if bill.number != number:
			return None
		return kuaidi100_result(bill.number, bill.com, bill.state, bill.rows)

	return lookup


def serve(seed: int, rate: float, burst: float, conn) -> None:
	"""The carrier, in its own process: sends its URL, serves until told to stop, sends its stats."""
	server = Kuaidi100Server(CUSTOMER, KEY, lookup=_lookup(seed), rate_limit=(rate, burst))
	server.record = False
	server.start()
	conn.send(server.url)
	conn.recv()
	conn.send({"served": server.served, "refused": server.refused})
	server.stop()


class ServerProcess:
	def __init__(self, seed: int, rate: float, burst: float, in_process: bool = False) -> None:
		self.in_process = in_process
		if in_process:
			self.server = Kuaidi100Server(CUSTOMER, KEY, lookup=_lookup(seed), rate_limit=(rate, burst))
			self.server.record = False
			self.url = self.server.start().url
			return
		context = multiprocessing.get_context("spawn")
		self.conn, child = context.Pipe()
		self.process = context.Process(target=serve, args=(seed, rate, burst, child), daemon=True)
		self.process.start()
		self.url = self.conn.recv()

	def stop(self) -> dict:
		if self.in_process:
			stats = {"served": self.server.served, "refused": self.server.refused}
			self.server.stop()
			return stats
		self.conn.send("stop")
		stats = self.conn.recv()
		self.process.join(5)
		return stats


@dataclass
class Stored:
	status: TrackingStatus | None = None
	keys: list[str] = field(default_factory=list)
	since: datetime | None = None

	def add(self, events) -> None:
		result = merge(self.status, set(self.keys), events, since=self.since)
		self.keys += [e.key for e in result.new_events]
		self.status = result.status
		self.since = max(filter(None, [self.since, result.latest_at]), default=None)


def push_first_events(adapter: Kuaidi100Adapter, bill: Waybill, stored: Stored) -> None:
	"""What a subscription would have delivered before the poll: a signed push of the first events."""
	first = bill.rows[-bill.pushed :] if bill.pushed else []
	state = STATE_OF[first[0]["statusCode"]]
	param = json.dumps(
		{
			"status": "polling",
			"message": "",
			"lastResult": kuaidi100_result(bill.number, bill.com, state, first),
		},
		ensure_ascii=False,
	)
	for result in adapter.parse_push({}, b"", {"param": param, "sign": md5_sign(param + SALT)}):
		stored.add(result.events)


@dataclass
class Outcome:
	lost: int = 0
	duplicates: int = 0
	repeated_rows: int = 0
	wrong_status: int = 0
	refused: int = 0
	failed: int = 0


def run(
	shipments: int,
	rate: float,
	workers: int,
	seed: int,
	in_process: bool = False,
	attempts: int = 8,
	client_rate: float | None = None,
) -> tuple[float, dict, Outcome]:
	bills = [waybill(seed, i) for i in range(shipments)]
	server = ServerProcess(seed, rate, max(1.0, rate / 10), in_process)
	session = requests.Session()
	session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=workers))
	config = CarrierConfig("Kuaidi100", server.url, api_key=KEY, customer=CUSTOMER, secret=SALT, timeout_s=10)
	adapter = Kuaidi100Adapter(config, session)
	bucket = TokenBucket(client_rate or rate)
	outcome, lock = Outcome(), threading.Lock()

	def refresh(bill: Waybill) -> None:
		stored = Stored()
		if bill.pushed:
			push_first_events(adapter, bill, stored)
		for attempt in range(attempts):
			bucket.acquire()
			try:
				result = adapter.query(bill.number, bill.com)
			except RateLimited as error:
				bucket.pause_for(error.retry_after)
				with lock:
					outcome.refused += 1
				continue
			except TemporaryCarrierError:
				time.sleep(0.05 * 2**attempt)
				continue
			stored.add(result.events)
			break
		else:
			with lock:
				outcome.failed += 1
		expected = {e.key for e in bill.events}
		with lock:
			outcome.lost += len(expected - set(stored.keys))
			outcome.duplicates += len(stored.keys) - len(set(stored.keys))
			outcome.repeated_rows += len(bill.rows) - len(bill.events)
			outcome.wrong_status += stored.status is not status_from(bill.events)

	try:
		start = time.perf_counter()
		with ThreadPoolExecutor(max_workers=workers) as pool:
			list(pool.map(refresh, bills))
		elapsed = time.perf_counter() - start
	finally:
		stats = server.stop()
	return elapsed, stats, outcome


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--shipments", type=int, default=10_000)
	parser.add_argument("--rate", type=float, default=200.0, help="requests per second, client and server")
	parser.add_argument("--workers", type=int, default=16)
	parser.add_argument("--seed", type=int, default=7)
	parser.add_argument("--client-rate", type=float, help="the client's limit if not --rate (to see 429s)")
	parser.add_argument(
		"--in-process", action="store_true", help="run the carrier in a thread, not a process"
	)
	args = parser.parse_args()
	elapsed, stats, outcome = run(
		args.shipments, args.rate, args.workers, args.seed, args.in_process, client_rate=args.client_rate
	)
	events = sum(len(waybill(args.seed, i).events) for i in range(min(args.shipments, 1000)))
	print(f"shipments={args.shipments} rate={args.rate:g}/s workers={args.workers} seed={args.seed}")
	print(
		f"server: answered={stats['served']} refused(429)={stats['refused']}; client: "
		f"{args.shipments / elapsed:.1f} waybills/s, failed={outcome.failed}, retried after 429={outcome.refused}"
	)
	print(
		f"events/waybill~{events / min(args.shipments, 1000):.1f} repeated rows sent={outcome.repeated_rows} "
		f"duplicates stored={outcome.duplicates} wrong final status={outcome.wrong_status}"
	)
	print(
		f"RESULT tracking_10k_s={elapsed:.2f} rate_limit_violations={stats['refused']} lost_events={outcome.lost}"
	)


if __name__ == "__main__":
	main()
