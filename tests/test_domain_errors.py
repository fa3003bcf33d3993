"""Domain errors render a clear message in the user's language; channel codes are validated."""

import pytest

from order_online.domain.channel import normalise_channel_code
from order_online.domain.errors import DomainError, InvalidChannelCode, UnknownRegion, all_error_types
from tests.translations import load_translations


def test_error_renders_english_by_default():
	assert str(UnknownRegion(country="Atlantis")) == "No shipping region matches the address in Atlantis."


def test_error_renders_in_chinese_with_the_apps_catalogue():
	zh = load_translations("zh")
	message = UnknownRegion(country="Atlantis").render(lambda s: zh.get(s, s))
	assert "Atlantis" in message
	assert message != "No shipping region matches the address in Atlantis."
	assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_every_error_has_a_unique_key():
	keys = [cls.key for cls in all_error_types()]
	assert len(keys) == len(set(keys))


def test_error_is_an_exception_the_shell_can_catch():
	with pytest.raises(DomainError):
		normalise_channel_code("")


@pytest.mark.parametrize("code, cleaned", [("web", "WEB"), (" tm01 ", "TM01"), ("APP", "APP")])
def test_channel_code_normalised(code, cleaned):
	assert normalise_channel_code(code) == cleaned


@pytest.mark.parametrize("code", ["", None, "WEB-1", "ELEVENCHARS", "网店"])
def test_channel_code_rejected(code):
	with pytest.raises(InvalidChannelCode):
		normalise_channel_code(code)


def test_vocabulary_parameters_are_translated_too():
	from order_online.domain.errors import RegionNeedsParent

	zh = load_translations("zh")
	message = RegionNeedsParent(region="Guangdong", level="Province").render(lambda s: zh.get(s, s))
	assert "Province" not in message
	assert zh["Province"] in message
	assert "Guangdong" in message
