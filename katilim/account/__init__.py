"""A person's own pages under /me."""
