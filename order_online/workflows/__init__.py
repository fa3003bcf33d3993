"""Workflow definitions shipped as data.

Each ``*.json`` file in this folder is one Workflow document (doctype "Workflow", its states and
transitions). ``order_online.setup.install`` creates or updates them on install and migrate and
removes them on uninstall; tier 1 checks them against the schema. Plain Python, no frappe import.
"""

from __future__ import annotations

import json
from pathlib import Path

WORKFLOW_DIR = Path(__file__).parent

# Records Frappe itself ships; uninstall never deletes them even when a workflow of ours used them.
FRAPPE_WORKFLOW_STATES = frozenset({"Pending", "Approved", "Rejected"})
FRAPPE_WORKFLOW_ACTIONS = frozenset({"Approve", "Reject", "Review"})


def load_workflow_definitions(folder: Path = WORKFLOW_DIR) -> list[dict]:
	"""The workflow documents in ``folder``, sorted by file name so installs are deterministic."""
	return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]


def states_of(workflow: dict) -> list[str]:
	return [row["state"] for row in workflow.get("states", [])]


def actions_of(workflow: dict) -> list[str]:
	return sorted({row["action"] for row in workflow.get("transitions", [])})
