"""Address → shipping region: the rule allocation, ETA and regional reports all share."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_online.domain.errors import (
	DuplicateRegionAlias,
	RegionLevelOrder,
	RegionNeedsParent,
	RegionParentMissing,
	UnknownRegion,
)
from order_online.domain.region import CITY, COUNTRY, PROVINCE, Region, RegionTree, normalise


@pytest.fixture
def tree() -> RegionTree:
	return RegionTree(
		[
			Region("China", COUNTRY, aliases=("CN", "中国")),
			Region("Guangdong", PROVINCE, "China", aliases=("广东",)),
			Region("Shenzhen", CITY, "Guangdong", aliases=("深圳",)),
			Region("Guangzhou", CITY, "Guangdong", aliases=("广州",)),
			Region("Jiangsu", PROVINCE, "China", aliases=("江苏",)),
			Region("Suzhou (Jiangsu)", CITY, "Jiangsu", aliases=("Suzhou", "苏州")),
			Region("Anhui", PROVINCE, "China", aliases=("安徽",)),
			Region("Suzhou (Anhui)", CITY, "Anhui", aliases=("Suzhou", "宿州")),
			Region("Beijing", CITY, "China", aliases=("北京",)),
			Region("United States", COUNTRY, aliases=("US", "USA")),
			Region("California", PROVINCE, "United States", aliases=("CA",)),
		]
	)


def test_full_address_resolves_to_the_city(tree):
	assert tree.resolve("China", "Guangdong", "Shenzhen").name == "Shenzhen"


def test_local_spellings_and_admin_suffixes_match(tree):
	assert tree.resolve("中国", "广东省", "深圳市").name == "Shenzhen"
	assert tree.resolve("cn", "  guangdong PROVINCE ", "shenzhen city").name == "Shenzhen"


def test_unknown_city_falls_back_to_its_province(tree):
	assert tree.resolve("China", "Guangdong", "Dongguan").name == "Guangdong"


def test_unknown_state_falls_back_to_the_country(tree):
	assert tree.resolve("United States", "Nevada", "Reno").name == "United States"


def test_city_without_state_when_unique_in_the_country(tree):
	assert tree.resolve("China", None, "广州").name == "Guangzhou"


def test_ambiguous_city_without_state_stays_at_country(tree):
	# Two provinces have a "Suzhou": without a state the app must not guess.
	assert tree.resolve("China", "", "Suzhou").name == "China"
	assert tree.resolve("China", "安徽", "Suzhou").name == "Suzhou (Anhui)"


def test_city_directly_under_a_country(tree):
	assert tree.resolve("China", "北京市", "北京市").name == "Beijing"


def test_unknown_country_is_a_clear_error(tree):
	with pytest.raises(UnknownRegion) as err:
		tree.resolve("Atlantis", "X", "Y")
	assert "Atlantis" in str(err.value)


def test_path_and_ancestor(tree):
	assert [r.name for r in tree.path("Shenzhen")] == ["China", "Guangdong", "Shenzhen"]
	assert tree.ancestor_at("Shenzhen", PROVINCE).name == "Guangdong"
	assert tree.ancestor_at("Beijing", PROVINCE) is None
	assert tree.ancestor_at("Guangdong", COUNTRY).name == "China"


def test_parent_must_exist():
	with pytest.raises(RegionParentMissing):
		RegionTree([Region("Guangdong", PROVINCE, "China")])


def test_non_country_needs_a_parent():
	with pytest.raises(RegionNeedsParent):
		RegionTree([Region("Guangdong", PROVINCE)])


def test_levels_must_nest():
	with pytest.raises(RegionLevelOrder):
		RegionTree(
			[
				Region("China", COUNTRY),
				Region("Shenzhen", CITY, "China"),
				Region("Guangdong", PROVINCE, "Shenzhen"),
			]
		)


def test_sibling_names_must_not_collide():
	with pytest.raises(DuplicateRegionAlias):
		RegionTree(
			[
				Region("China", COUNTRY),
				Region("Guangdong", PROVINCE, "China", aliases=("GD",)),
				Region("Guangxi", PROVINCE, "China", aliases=("gd",)),
			]
		)


@pytest.mark.parametrize(
	"raw, key",
	[
		("广东省", "广东"),
		("深圳市", "深圳"),
		("新疆维吾尔自治区", "新疆"),
		("Ontario Province", "ontario"),
		("市", "市"),
	],
)
def test_normalise(raw, key):
	assert normalise(raw) == key


@given(st.text(max_size=20))
def test_normalise_is_idempotent_enough(text):
	# Normalising twice never yields an empty key from a non-empty one.
	once = normalise(text)
	assert (normalise(once) == "") == (once == "")


def test_an_order_goes_to_its_shipping_address_else_the_customers():
	from order_online.domain.region import delivery_address

	assert delivery_address({"shipping_address_name": "Ship", "customer_address": "Bill"}) == "Ship"
	assert delivery_address({"shipping_address_name": "", "customer_address": "Bill"}) == "Bill"
	assert delivery_address({}) is None
