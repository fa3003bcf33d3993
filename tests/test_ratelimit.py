"""Token bucket: pacing, bursts and pauses on a fake clock; threads on the real one; end to end."""

import threading
import time

import pytest

from order_online.integrations.ratelimit import TokenBucket


class FakeClock:
	def __init__(self) -> None:
		self.now = 100.0
		self.sleeps: list[float] = []
		self.on_sleep = None  # called before time moves, to act "while asleep"

	def __call__(self) -> float:
		return self.now

	def sleep(self, seconds: float) -> None:
		self.sleeps.append(seconds)
		if self.on_sleep:
			self.on_sleep()
		self.now += seconds


def bucket(rate: float, burst: float | None = None) -> tuple[TokenBucket, FakeClock]:
	clock = FakeClock()
	return TokenBucket(rate, burst, clock=clock, sleep=clock.sleep), clock


def acquire_times(limiter: TokenBucket, clock: FakeClock, n: int) -> list[float]:
	times = []
	for _ in range(n):
		limiter.acquire()
		times.append(round(clock.now - 100.0, 9))
	return times


def test_default_spaces_requests_evenly():
	limiter, clock = bucket(10)
	assert acquire_times(limiter, clock, 4) == [0.0, 0.1, 0.2, 0.3]


def test_burst_then_the_rate():
	limiter, clock = bucket(10, burst=3)
	assert acquire_times(limiter, clock, 5) == [0.0, 0.0, 0.0, 0.1, 0.2]


def test_a_quiet_spell_refills_only_up_to_the_burst():
	limiter, clock = bucket(10, burst=3)
	acquire_times(limiter, clock, 3)
	clock.now += 60
	assert [t - 60 for t in acquire_times(limiter, clock, 4)] == pytest.approx([0.0, 0.0, 0.0, 0.1])


def test_long_run_rate():
	limiter, clock = bucket(50)
	times = acquire_times(limiter, clock, 500)
	assert times[-1] == pytest.approx(499 / 50)


def test_try_acquire_never_blocks():
	limiter, clock = bucket(10, burst=2)
	assert [limiter.try_acquire() for _ in range(3)] == [True, True, False]
	clock.now += 0.05
	assert limiter.try_acquire() is False
	clock.now += 0.05
	assert limiter.try_acquire() is True
	assert clock.sleeps == []


def test_pause_until_holds_everyone_and_then_paces_again():
	limiter, clock = bucket(10)
	limiter.acquire()
	limiter.pause_until(clock.now + 5)
	assert limiter.try_acquire() is False
	assert acquire_times(limiter, clock, 3) == pytest.approx([5.0, 5.1, 5.2])


def test_pause_for_seconds_and_a_shorter_pause_does_not_shorten_it():
	limiter, clock = bucket(10)
	limiter.pause_for(3)
	limiter.pause_until(clock.now + 1)
	assert acquire_times(limiter, clock, 1) == pytest.approx([3.0])


def test_a_pause_reaches_a_caller_already_asleep_on_its_slot():
	limiter, clock = bucket(10)
	limiter.acquire()  # the next slot is 0.1 s away, so the next caller sleeps

	def rate_limited_meanwhile():
		clock.on_sleep = None
		limiter.pause_until(clock.now + 2)

	clock.on_sleep = rate_limited_meanwhile
	limiter.acquire()
	assert clock.now - 100 == pytest.approx(2.0)


@pytest.mark.parametrize("rate, burst", [(0, None), (-1, None), (10, 0.5)])
def test_bad_arguments(rate, burst):
	with pytest.raises(ValueError):
		TokenBucket(rate, burst)


def test_threads_share_the_rate_on_the_real_clock():
	limiter = TokenBucket(400)
	stamps: list[float] = []
	lock = threading.Lock()
	start = time.monotonic()

	def worker():
		for _ in range(25):
			limiter.acquire()
			with lock:
				stamps.append(time.monotonic() - start)

	threads = [threading.Thread(target=worker) for _ in range(8)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join()
	stamps.sort()
	assert len(stamps) == 200
	# Never ahead of schedule: the k-th request no earlier than k / rate.
	assert all(t >= k / 400 - 1e-3 for k, t in enumerate(stamps))
	assert stamps[-1] < 5  # and not stuck


def test_benchmark_polls_within_the_servers_limit_and_loses_nothing():
	"""Adapter + bucket + merge against a Kuaidi100 that refuses (429) anything over its limit."""
	from benchmarks.tracking import run

	elapsed, stats, outcome = run(shipments=150, rate=500, workers=8, seed=3, in_process=True)
	assert stats == {"served": 150, "refused": 0}
	assert (outcome.lost, outcome.duplicates, outcome.failed, outcome.wrong_status) == (0, 0, 0, 0)
	assert outcome.repeated_rows > 0  # the carrier did send duplicates, and none was stored
	assert elapsed >= 149 / 500 - 0.05


def test_benchmark_server_counts_requests_over_its_limit():
	from benchmarks.tracking import run

	_, stats, outcome = run(
		shipments=40, rate=50, workers=8, seed=3, in_process=True, client_rate=5000, attempts=100
	)  # a client far over the limit keeps being refused: enough attempts that only a bug loses events
	assert stats["refused"] > 0 and outcome.refused == stats["refused"]
	assert outcome.lost == 0  # refused requests were retried after the pause
