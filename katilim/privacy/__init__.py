"""KVKK (Law 6698) and Law 5651 in practice: consents, data export, account deletion,
retention, traffic records and the künye page."""
