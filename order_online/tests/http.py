"""A user of the served site, logged in over HTTP, for the tests that try every path a user has."""

import json
from urllib.parse import quote

import requests


class Client:
	"""One user logged in to the served site (``url``, Host header ``site``), a guest without ``user``.
	``tally``, when given, counts every request made, for a suite that prints how many it made."""

	def __init__(
		self,
		url: str,
		site: str,
		user: str | None = None,
		password: str | None = None,
		tally: dict | None = None,
	):
		self.url, self.session, self.tally = url, requests.Session(), tally
		self.session.headers["Host"] = site
		if user:
			self.session.post(
				f"{url}/api/method/login", data={"usr": user, "pwd": password}, timeout=30
			).raise_for_status()

	def _count(self) -> None:
		if self.tally is not None:
			self.tally["count"] = self.tally.get("count", 0) + 1

	def call(self, method: str, /, **args) -> requests.Response:
		"""POST a whitelisted method; values that are not strings go as JSON, as the desk sends them."""
		self._count()
		data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in args.items()}
		return self.session.post(f"{self.url}/api/method/{method}", data=data, timeout=60)

	def message(self, method: str, /, **args):
		reply = self.call(method, **args)
		assert reply.status_code == 200, (method, reply.status_code, reply.text[:500])
		return reply.json().get("message")

	def get(self, path: str, /, **params) -> requests.Response:
		self._count()
		params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
		return self.session.get(f"{self.url}{path}", params=params, timeout=60)

	def where_to(self, path: str) -> tuple[int, str | None]:
		"""The status and the Location a GET of ``path`` answers, the redirect not followed."""
		self._count()
		reply = self.session.get(f"{self.url}{path}", allow_redirects=False, timeout=60)
		return reply.status_code, reply.headers.get("Location")

	def resource(self, doctype: str, name: str) -> dict:
		"""The document as REST gives it to this user."""
		reply = self.get(f"/api/resource/{quote(doctype)}/{quote(name)}")
		assert reply.status_code == 200, (doctype, name, reply.status_code, reply.text[:500])
		return reply.json()["data"]

	def put(self, doctype: str, name: str, values: dict) -> requests.Response:
		self._count()
		return self.session.put(
			f"{self.url}/api/resource/{quote(doctype)}/{quote(name)}", json=values, timeout=60
		)

	def post_doc(self, doc: dict) -> requests.Response:
		self._count()
		return self.session.post(f"{self.url}/api/resource/{quote(doc['doctype'])}", json=doc, timeout=60)
