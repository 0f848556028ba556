"""Who is heard and who is not: self-described groups, representation figures, the equity order."""
