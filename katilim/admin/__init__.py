"""The admin area: bodies, districts, memberships, site roles and the audit log."""
