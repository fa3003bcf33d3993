"""Every place the app changes how an ERPNext document behaves, each with what ERPNext does, what the
app does instead, for which documents, and why ERPNext offers no hook for it."""
