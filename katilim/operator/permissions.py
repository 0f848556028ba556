"""Who is the installation's operator."""


def can_operate(user) -> bool:
    """An active account of the installation's own council marked as its operator (only the
    command line marks one: `flask --app katilim set-operator EMAIL`)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_operator)
