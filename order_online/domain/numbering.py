"""Order numbers from templates such as ``SO-{company abbr}-{channel}-{YYYY}{MM}-{#####}``.

A template is translated into a Frappe naming series whose variable parts are custom tokens
(resolved through the ``naming_series_variables`` hook) so that:

- the date parts come from the order's own date, not from the day it is saved;
- Frappe's series counter (a row lock on ``tabSeries``) keeps numbers unique under concurrent inserts;
- the counter restarts each period, because Frappe keys the counter by everything before it and
  the period is part of that prefix. That is why the counter must come last.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from order_online.domain.errors import InvalidNumberTemplate, NumberTemplateNeedsChannel

# Placeholder in a template -> naming-series token (no dots: Frappe splits series on ".")
PLACEHOLDER_TOKENS: dict[str, str] = {
	"company abbr": "OOABBR",
	"abbr": "OOABBR",
	"channel": "OOCHANNEL",
	"YYYY": "OOYYYY",
	"YY": "OOYY",
	"MM": "OOMM",
	"DD": "OODD",
}
SERIES_TOKENS = frozenset(PLACEHOLDER_TOKENS.values())
_DATE_FORMATS = {"OOYYYY": "%Y", "OOYY": "%y", "OOMM": "%m", "OODD": "%d"}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_LITERAL = re.compile(r"[A-Za-z0-9_\-/]*")
_COUNTER = re.compile(r"#+")


@dataclass(frozen=True)
class NumberTemplate:
	text: str
	series: str  # the Frappe naming series, e.g. "SO-.OOABBR.-.OOYYYY..OOMM.-.#####"
	needs_channel: bool
	digits: int


def parse_template(text: str) -> NumberTemplate:
	"""Validate ``text`` and translate it to a naming series; raises InvalidNumberTemplate."""
	text = (text or "").strip()

	def invalid(problem: str) -> InvalidNumberTemplate:
		return InvalidNumberTemplate(template=text, problem=problem)

	parts: list[str] = []
	counters: list[int] = []
	needs_channel = False
	position = 0
	for match in _PLACEHOLDER.finditer(text):
		literal = text[position : match.start()]
		if not _LITERAL.fullmatch(literal):
			raise invalid("only letters, digits, - _ and / may stand outside placeholders")
		if counters and literal:
			raise invalid("the counter must come last")
		parts.append(literal)
		name = match.group(1).strip()
		if _COUNTER.fullmatch(name):
			if not 3 <= len(name) <= 10:
				raise invalid("the counter needs 3 to 10 # signs")
			counters.append(len(name))
			parts.append("." + name)
		elif name in PLACEHOLDER_TOKENS:
			if counters:
				raise invalid("the counter must come last")
			needs_channel = needs_channel or name == "channel"
			parts.append(f".{PLACEHOLDER_TOKENS[name]}.")
		else:
			raise invalid("unknown placeholder")
		position = match.end()
	tail = text[position:]
	if not _LITERAL.fullmatch(tail):
		raise invalid("only letters, digits, - _ and / may stand outside placeholders")
	if tail and counters:
		raise invalid("the counter must come last")
	if len(counters) != 1:
		raise invalid("it needs exactly one counter such as {#####}")
	return NumberTemplate(text=text, series="".join(parts), needs_channel=needs_channel, digits=counters[0])


def token_value(
	token: str, template: str, order_date: datetime.date, company_abbr: str, channel_code: str | None
) -> str:
	"""The text a naming-series token stands for on a given order."""
	if token in _DATE_FORMATS:
		return order_date.strftime(_DATE_FORMATS[token])
	if token == "OOABBR":
		return company_abbr
	if token == "OOCHANNEL":
		if not channel_code:
			raise NumberTemplateNeedsChannel(template=template)
		return channel_code
	raise KeyError(token)


def render(
	template: NumberTemplate,
	order_date: datetime.date,
	company_abbr: str,
	channel_code: str | None,
	counter: int = 1,
) -> str:
	"""The number an order would get (for previews and tests; the site uses Frappe's series)."""
	out = []
	for part in template.series.split("."):
		if part in SERIES_TOKENS:
			out.append(token_value(part, template.text, order_date, company_abbr, channel_code))
		elif _COUNTER.fullmatch(part):
			out.append(str(counter).zfill(len(part)))
		else:
			out.append(part)
	return "".join(out)


@dataclass(frozen=True)
class TemplateChoice:
	name: str
	company: str
	channel: str | None
	template: str


def choose_template(
	choices: Iterable[TemplateChoice], company: str, channel: str | None
) -> TemplateChoice | None:
	"""The company's template for this channel, else its channel-free template, else None."""
	general = None
	for choice in sorted(choices, key=lambda c: c.name):
		if choice.company != company:
			continue
		if choice.channel and choice.channel == channel:
			return choice
		if not choice.channel and general is None:
			general = choice
	return general
