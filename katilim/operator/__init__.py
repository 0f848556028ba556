"""The installation's operator: the councils it serves, each added from its data file, and
each council's first admin (docs/rules.md, "Many councils")."""
