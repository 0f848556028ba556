"""The council's assemblies, working groups and districts."""
