"""Comments and replies on proposals."""
