"""Who may follow and read notifications: anyone signed in (following needs no verified
address; e-mails only ever go to a verified one)."""


def can_follow(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active
