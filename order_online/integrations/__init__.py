"""Adapters to carriers and sales channels (HTTP, signatures); frappe-free wherever they can be."""
