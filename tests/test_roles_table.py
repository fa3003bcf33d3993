"""The README's permission table is the one the app ships (generated from the same data)."""

from pathlib import Path

from order_online.setup.roles import DOCTYPE_PERMISSIONS, TABLE_ROLES, permission_rows, permission_table
from tests import appcheck

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_shows_the_permissions_the_app_ships():
	table = permission_table(appcheck.app_doctypes())
	assert table in README.read_text(encoding="utf-8"), "README out of date; paste:\n" + table


def test_the_table_shows_every_role_the_app_gives_a_permission():
	rows = permission_rows(appcheck.app_doctypes())
	assert {role for roles in rows.values() for role in roles} <= set(TABLE_ROLES)
	assert rows["Shipment (ERPNext)"] == {"Stock User": "RWCS"}
	assert len(DOCTYPE_PERMISSIONS) == 1
