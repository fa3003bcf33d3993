import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_url

from order_online.common.errors import domain_errors_as_validation
from order_online.domain.channel import normalise_channel_code
from order_online.intake.channels import INTEGRATION_ROLE
from order_online.portal.printing import escape_free_text


class OrderChannel(Document):
	@property
	def intake_url(self) -> str | None:
		if not self.platform or not self.channel_code:
			return None
		return get_url(f"/api/method/order_online.api.intake.receive?channel={self.channel_code}")

	def validate(self):
		self.validate_channel_code()
		self.validate_item_mappings()
		self.validate_intake_settings()
		self.validate_integration_user()

	def validate_channel_code(self):
		with domain_errors_as_validation():
			self.channel_code = normalise_channel_code(self.channel_code)

	def validate_item_mappings(self):
		seen = {}
		for row in self.item_mappings:
			row.channel_sku = (row.channel_sku or "").strip()
			if row.channel_sku in seen:
				frappe.throw(
					_("Item Mapping row {0}: SKU {1} is already on row {2}.").format(
						row.idx, row.channel_sku, seen[row.channel_sku]
					)
				)
			seen[row.channel_sku] = row.idx

	def validate_intake_settings(self):
		"""A channel that takes orders by API needs what each order is made with."""
		if not self.platform or not self.enabled:
			return
		needed = ["company", "integration_user", "api_secret"]
		if self.platform == "Qimen":
			needed += ["api_key", "session_key", "api_base_url"]
		missing = [_(self.meta.get_label(f)) for f in needed if not self.get(f)]
		if missing:
			frappe.throw(
				_("To take orders from {0}, the channel needs: {1}.").format(
					_(self.platform), ", ".join(missing)
				)
			)
		if (
			self.default_warehouse
			and self.company
			and frappe.db.get_value("Warehouse", self.default_warehouse, "company") != self.company
		):
			frappe.throw(
				_("Warehouse {0} is not a warehouse of {1}.").format(self.default_warehouse, self.company)
			)

	def validate_integration_user(self):
		"""Orders are made as this user, so it holds a sales role and nothing that bypasses approval."""
		user = self.integration_user
		if not user:
			return
		if user in ("Administrator", "Guest"):
			frappe.throw(_("The integration user must be a user of its own, not {0}.").format(user))
		if frappe.db.get_value("User", user, "user_type") != "System User":
			frappe.throw(_("The integration user {0} must be a System User.").format(user))
		roles = set(frappe.get_roles(user))
		if INTEGRATION_ROLE not in roles:
			frappe.throw(_("The integration user {0} needs the role {1}.").format(user, _(INTEGRATION_ROLE)))
		too_strong = sorted(roles & {"System Manager", "Order Approver", "Order Online Manager"})
		if too_strong:
			frappe.throw(
				_(
					"The integration user {0} must not have the roles {1}: its orders would approve themselves."
				).format(user, ", ".join(_(r) for r in too_strong))
			)

	def before_print(self, settings=None):
		escape_free_text(self)
