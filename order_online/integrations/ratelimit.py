"""A thread-safe token bucket, to stay under a provider's request rate.

It is the "generic cell rate" form of the bucket: instead of counting tokens it keeps the time the
next request is due, and each caller reserves its own slot under the lock and sleeps outside it.
So waiting threads leave in order, one slot apart, without waking each other up. ``burst`` requests
may go at once after a quiet spell; the default of 1 spaces every request evenly, which is the safest
reading of "N requests per second".

After a 429, ``pause_until`` (or ``pause_for``) holds everyone, including threads already asleep on
a slot: they wake, see the pause, and queue again behind it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
	def __init__(
		self,
		rate_per_s: float,
		burst: float | None = None,
		clock: Callable[[], float] = time.monotonic,
		sleep: Callable[[float], None] = time.sleep,
	) -> None:
		if rate_per_s <= 0:
			raise ValueError("rate_per_s must be positive")
		burst = 1.0 if burst is None else float(burst)
		if burst < 1:
			raise ValueError("burst must be at least 1")
		self.rate = float(rate_per_s)
		self.burst = burst
		self._interval = 1.0 / self.rate
		self._tolerance = (burst - 1.0) * self._interval  # how far ahead of schedule a slot may be
		self._clock = clock
		self._sleep = sleep
		self._lock = threading.Lock()
		self._due = clock()  # "theoretical arrival time" of the next request
		self._paused_until = float("-inf")
		self._epoch = 0  # bumped by a pause: slots reserved before it are void

	def acquire(self) -> None:
		"""Block until a request may be sent."""
		while True:
			with self._lock:
				wait, epoch = self._reserve(self._clock())
			if wait <= 0:
				return
			self._sleep(wait)
			with self._lock:
				if epoch == self._epoch:
					return

	def try_acquire(self) -> bool:
		"""Take a slot if one is free right now; never blocks."""
		with self._lock:
			now = self._clock()
			if self._slot(now) > now:
				return False
			self._reserve(now)
			return True

	def pause_until(self, t: float) -> None:
		"""No request before ``t`` (on this bucket's clock), e.g. after a 429 with Retry-After."""
		with self._lock:
			if t > self._paused_until:
				self._paused_until = t
				self._due = t
				self._epoch += 1

	def pause_for(self, seconds: float) -> None:
		self.pause_until(self._clock() + max(0.0, seconds))

	def _slot(self, now: float) -> float:
		return max(now, self._due - self._tolerance, self._paused_until)

	def _reserve(self, now: float) -> tuple[float, int]:
		slot = self._slot(now)
		self._due = max(self._due, slot) + self._interval
		return slot - now, self._epoch
