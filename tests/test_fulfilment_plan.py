"""From an order to the allocator and back: lanes by region, pins and exclusions, rows, reservations."""

from order_online.domain import errors
from order_online.domain import fulfilment_plan as fp
from order_online.domain.allocation import Lane, Line, Problem, allocate

HANGZHOU = ("Hangzhou", "Zhejiang", "China")
NINGBO = ("Ningbo", "Zhejiang", "China")
CHENGDU = ("Chengdu", "Sichuan", "China")

RATES = [
	fp.ShippingRate("China", "China", 20, 3, 4),
	fp.ShippingRate("Zhejiang", "Zhejiang", 8, 1, 1),
	fp.ShippingRate("Hangzhou", "Ningbo", 6, 0.5, 1),
]


def test_the_most_specific_rate_wins_destination_first():
	assert fp.lane_for(HANGZHOU, NINGBO, RATES) == Lane(6, 0.5, 1)  # city to city
	assert fp.lane_for(NINGBO, HANGZHOU, RATES) == Lane(8, 1, 1)  # province to province
	assert fp.lane_for(HANGZHOU, CHENGDU, RATES) == Lane(20, 3, 4)  # country-wide
	assert fp.lane_for(("Paris", "France"), CHENGDU, RATES) is None


def test_a_company_rate_listed_later_replaces_the_shared_one():
	own = [*RATES, fp.ShippingRate("China", "China", 15, 2, 3)]
	assert fp.lane_for(HANGZHOU, CHENGDU, own) == Lane(15, 2, 3)


def test_pins_narrow_and_exclusions_remove():
	candidates = ["WH-A", "WH-B", "WH-C"]
	rules = [
		fp.Restriction(fp.PIN, "WH-A", item_group="Cold Chain"),
		fp.Restriction(fp.PIN, "WH-B", item_group="Cold Chain"),
		fp.Restriction(fp.EXCLUDE, "WH-B", customer_group="Export"),
		fp.Restriction(fp.EXCLUDE, "WH-C", channel="TMALL"),
	]
	cold = ("Frozen", "Cold Chain", "All Item Groups")
	assert fp.allowed_warehouses(candidates, rules, cold, ("Retail",), None) == {"WH-A", "WH-B"}
	assert fp.allowed_warehouses(candidates, rules, cold, ("Export",), None) == {"WH-A"}
	assert fp.allowed_warehouses(candidates, rules, ("Dry",), ("Retail",), "TMALL") == {"WH-A", "WH-B"}
	assert fp.allowed_warehouses(candidates, rules, ("Dry",), ("Retail",), None) is None


def test_bad_input_is_reported_all_at_once():
	problems = fp.input_problems(None, {"BOLT": 0.0, "NUT": 0.1}, [])
	assert problems == [errors.AddressWithoutRegion(), errors.ItemWithoutWeight(item="BOLT")]
	assert fp.input_problems("Ningbo", {"NUT": 0.1}, []) == [errors.NoShippingLane(region="Ningbo")]
	assert fp.input_problems("Ningbo", {"NUT": 0.1}, ["WH-A"]) == []


def test_rows_follow_the_allocation_and_keep_what_nobody_has():
	problem = Problem(
		lines=(Line("1", "BOLT", 10, 1.0), Line("2", "NUT", 4, 1.0)),
		lanes={"WH-A": Lane(5, 1), "WH-B": Lane(5, 1)},
		stock={("BOLT", "WH-A"): 6, ("BOLT", "WH-B"): 3, ("NUT", "WH-A"): 4},
	)
	rows = fp.planned_rows(["1", "2"], allocate(problem))
	assert rows == [
		fp.PlannedRow("1", "WH-A", 6, True),
		fp.PlannedRow("1", "WH-B", 3, True),
		fp.PlannedRow("1", None, 1, False),
		fp.PlannedRow("2", "WH-A", 4, True),
	]
	assert sum(r.qty for r in rows if r.line == "1") == 10  # nothing lost in the split


def test_a_reservation_beyond_what_others_left_free_is_refused():
	assert fp.reservation_problem("BOLT", "WH-A", 2, actual=10, reserved_by_others=8) is None
	problem = fp.reservation_problem("BOLT", "WH-A", 2, actual=10, reserved_by_others=9)
	assert problem == errors.CannotReserve(item="BOLT", warehouse="WH-A", wanted="2", free="1")
	assert "only 1 are still free" in problem.render()


def test_boxes_split_into_whole_boxes_when_the_item_is_sold_in_one_unit():
	rows = [fp.RowUnit("1", "BOLT", 12, True), fp.RowUnit("2", "NUT", 1, False)]
	assert fp.allocation_units(rows) == {"1": 12, "2": 1.0}
	assert fp.stock_in_units(30, 12, True) == 2  # 30 bolts are two whole boxes
	assert fp.stock_in_units(30, 12, False) == 2.5
	assert fp.stock_in_units(24, 12, True) == 2


def test_rows_of_one_item_in_different_units_are_allocated_in_stock_units():
	rows = [fp.RowUnit("1", "BOLT", 12, True), fp.RowUnit("2", "BOLT", 1, False)]
	assert fp.allocation_units(rows) == {"1": 1.0, "2": 1.0}


def test_a_pick_list_may_skip_the_reserved_stock_refusal_only_when_it_picks_where_it_reserved():
	assert fp.picks_only_reserved_warehouses([("WH-A", "WH-A"), ("WH-B", "WH-B")])
	assert not fp.picks_only_reserved_warehouses([("WH-A", "WH-A"), ("WH-A", "WH-B")])
	assert not fp.picks_only_reserved_warehouses([(None, None)])
	assert not fp.picks_only_reserved_warehouses([])


# Reservation from the latest stock ---------------------------------------------------------------

from order_online.domain.fulfilment_plan import reservation_caps, shortage_floor

A, B = ("BOLT", "WH-1"), ("NUT", "WH-1")


def test_rows_take_the_free_stock_in_order():
	rows = [("r1", A, 4), ("r2", A, 4), ("r3", B, 1)]
	assert reservation_caps(rows, {A: 6, B: 5}, partial=True) == {"r1": 4, "r2": 2, "r3": 1}


def test_without_partial_reservation_a_row_gets_all_or_nothing_and_leaves_the_rest():
	rows = [("r1", A, 4), ("r2", A, 4), ("r3", A, 2)]
	assert reservation_caps(rows, {A: 6}, partial=False) == {"r1": 4, "r2": 0, "r3": 2}


def test_a_race_lost_leaves_nothing_to_reserve():
	assert reservation_caps([("r1", A, 2)], {A: 0}, partial=True) == {"r1": 0}
	assert reservation_caps([("r1", A, 2)], {}, partial=True) == {"r1": 0}


def test_the_shortage_the_latest_stock_shows():
	assert shortage_floor([(A, 2), (A, 3), (B, 1)], {A: 1, B: 1}) == {A: 4}
	assert shortage_floor([(A, 2)], {}) == {A: 2}
	assert shortage_floor([(A, 2)], {A: 5}) == {}


def test_pending_quantity_counts_deliveries_in_the_lines_unit_and_picks_when_asked():
	from order_online.domain.fulfilment_plan import pending_stock_qty

	assert pending_stock_qty(24, 1, 12) == 12  # two boxes of 12 ordered, one delivered
	assert pending_stock_qty(24, 1, 12, picked_qty=20) == 4  # picked beyond what was delivered
	assert pending_stock_qty(24, 2, 12, picked_qty=20) == 0
	assert pending_stock_qty(5, 0, 1) == 5


def test_only_a_prepaid_channel_order_not_yet_paid_gets_its_advance():
	from order_online.domain.fulfilment_plan import needs_prepayment

	assert needs_prepayment(True, 0, 100)
	assert not needs_prepayment(True, 100, 100)  # already paid in advance: never twice
	assert needs_prepayment(True, 40, 100)
	assert not needs_prepayment(False, 0, 100)


def test_close_releases_reopen_reserves_unless_approval_is_pending():
	from order_online.domain import fulfilment_plan as plan

	assert plan.reservation_on_status_change("Closed", True, False) == plan.RELEASE
	assert plan.reservation_on_status_change("Closed", False, False) == plan.RELEASE
	assert plan.reservation_on_status_change("Draft", True, False) == plan.RESERVE
	assert plan.reservation_on_status_change("Draft", True, True) == plan.KEEP
	assert plan.reservation_on_status_change("Draft", False, False) == plan.KEEP
	assert plan.reservation_on_status_change("On Hold", True, False) == plan.KEEP


def test_a_row_reserves_all_part_or_nothing_of_what_it_wants_or_is_refused():
	from order_online.domain import fulfilment_plan as plan

	assert plan.reservation_outcome(4, 4, refuse_backorders=True) == plan.FULL
	assert plan.reservation_outcome(0, 0, refuse_backorders=True) == plan.FULL  # nothing left to reserve
	assert plan.reservation_outcome(4, 1, refuse_backorders=False) == plan.CAP
	assert plan.reservation_outcome(4, 0, refuse_backorders=False) == plan.LEAVE_OUT
	assert plan.reservation_outcome(4, 1, refuse_backorders=True) == plan.REFUSE


def test_one_document_per_warehouse_in_name_order_with_the_rows_in_their_order():
	from order_online.domain.fulfilment_plan import per_warehouse

	rows = [("WH-B", 1), ("WH-A", 2), ("WH-B", 3), (None, 4)]
	assert per_warehouse(rows) == [("", [4]), ("WH-A", [2]), ("WH-B", [1, 3])]
	assert per_warehouse([]) == []
