"""Several processes submitting Sales Orders at the same moment (concurrency tests and benchmarks).

Each process connects to the site on its own, submits its warm-up orders, waits at a barrier for
the others, then submits its timed orders one after another and reports
``(order names, outcome, started, ended, messages)``; ``outcome`` is "ok" or the error's class name.
The orders must be committed before (other processes see only committed data).
"""

import multiprocessing
import os
import time

import frappe


def _submit(site, sites_path, warmup, timed, barrier, results):
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		for name in warmup:
			frappe.get_doc("Sales Order", name).submit()
			frappe.db.commit()
		docs = [frappe.get_doc("Sales Order", name) for name in timed]
		barrier.wait(timeout=120)
		started = time.perf_counter()
		for doc in docs:
			doc.submit()
			frappe.db.commit()
		messages = [str(m.get("message") if isinstance(m, dict) else m) for m in frappe.local.message_log]
		results.put((tuple(timed), "ok", started, time.perf_counter(), messages))
	except Exception as error:
		frappe.db.rollback()
		results.put((tuple(timed), type(error).__name__, 0.0, 0.0, [str(error)]))
	finally:
		frappe.destroy()


def submit_at_once(jobs: list[tuple[list[str], list[str]]], timeout: float = 300) -> list[tuple]:
	"""One process per ``(warm-up orders, timed orders)``; returns each process's report."""
	frappe.db.commit()
	ctx = multiprocessing.get_context("spawn")
	barrier, results = ctx.Barrier(len(jobs)), ctx.Queue()
	sites_path = os.path.abspath(frappe.local.sites_path)
	procs = [
		ctx.Process(target=_submit, args=(frappe.local.site, sites_path, warmup, timed, barrier, results))
		for warmup, timed in jobs
	]
	for p in procs:
		p.start()
	for p in procs:
		p.join(timeout=timeout)
	reports = [results.get(timeout=10) for _ in procs]
	frappe.db.rollback()  # a fresh snapshot: what the processes committed
	return reports
