"""What every capability of the app's Frappe side shares."""
