import pytest

from order_online.setup.custom_fields import CUSTOM_FIELDS
from order_online.setup.roles import role_names
from tests import appcheck


@pytest.fixture(scope="session")
def schema() -> dict:
	# Deliberately no skip: without the schema the static checks must fail, not pass silently.
	return appcheck.load_schema()


def _site_model(schema: dict, custom_fields: dict | None) -> appcheck.Model:
	return appcheck.build_model(
		schema,
		app_doctypes=appcheck.app_doctypes(),
		app_roles=role_names(),
		custom_fields=custom_fields,
		app_reports=[report for _, report in appcheck.app_reports()],
		app_modules=appcheck.app_modules(),
	)


@pytest.fixture(scope="session")
def schema_model(schema) -> appcheck.Model:
	"""The site with the app's doctypes and roles, before its custom fields are added."""
	return _site_model(schema, None)


@pytest.fixture(scope="session")
def model(schema) -> appcheck.Model:
	"""The site with everything the app ships, custom fields included."""
	return _site_model(schema, CUSTOM_FIELDS)
