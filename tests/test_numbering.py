"""Order numbers from templates: parsing, the series Frappe will use, and what numbers look like."""

import datetime

import pytest

from order_online.domain.errors import InvalidNumberTemplate, NumberTemplateNeedsChannel
from order_online.domain.numbering import TemplateChoice, choose_template, parse_template, render

NOV = datetime.date(2026, 11, 27)


def test_the_issue_example_renders_with_the_order_date():
	t = parse_template("SO-{company abbr}-{channel}-{YYYY}{MM}-{#####}")
	assert t.series == "SO-.OOABBR.-.OOCHANNEL.-.OOYYYY..OOMM.-.#####"
	assert t.needs_channel
	assert render(t, NOV, "WP", "WEB", 42) == "SO-WP-WEB-202611-00042"
	assert render(t, datetime.date(2027, 1, 3), "WP", "WEB", 1) == "SO-WP-WEB-202701-00001"


def test_period_is_in_the_counter_prefix():
	# Frappe keys its counter by the text before the counter, so a new month starts a new count.
	t = parse_template("{abbr}{YY}{MM}{DD}-{####}")
	prefix_nov = render(t, NOV, "WP", None, 1)[:-4]
	prefix_dec = render(t, datetime.date(2026, 12, 1), "WP", None, 1)[:-4]
	assert prefix_nov == "WP261127-" and prefix_dec == "WP261201-"


def test_template_without_period_has_one_counter():
	t = parse_template("ORD-{######}")
	assert t.series == "ORD-.######"
	assert not t.needs_channel
	assert render(t, NOV, "WP", None, 7) == "ORD-000007"


@pytest.mark.parametrize(
	"text, problem",
	[
		("SO-{YYYY}", "exactly one counter"),
		("SO-{###}{####}", "exactly one counter"),
		("SO-{#####}-{YYYY}", "counter must come last"),
		("SO-{#####}X", "counter must come last"),
		("SO-{customer}-{#####}", "unknown placeholder"),
		("SO.{#####}", "outside placeholders"),
		("SO {#####}", "outside placeholders"),
		("SO-{##}", "3 to 10"),
		("", "exactly one counter"),
	],
)
def test_bad_templates_say_what_is_wrong(text, problem):
	with pytest.raises(InvalidNumberTemplate) as err:
		parse_template(text)
	assert problem in str(err.value)


def test_channel_placeholder_needs_a_channel():
	t = parse_template("SO-{channel}-{#####}")
	with pytest.raises(NumberTemplateNeedsChannel):
		render(t, NOV, "WP", None)


def test_choose_the_most_specific_template():
	choices = [
		TemplateChoice("A", "Wind Power", None, "SO-{#####}"),
		TemplateChoice("B", "Wind Power", "Web Shop", "WEB-{#####}"),
		TemplateChoice("C", "Other Co", None, "OC-{#####}"),
	]
	assert choose_template(choices, "Wind Power", "Web Shop").name == "B"
	assert choose_template(choices, "Wind Power", "Marketplace").name == "A"
	assert choose_template(choices, "Wind Power", None).name == "A"
	assert choose_template(choices, "Third Co", None) is None
