"""A body's meetings: scheduled with a place and an agenda built from proposals, attended by
registered residents, and recorded with minutes and a decision per agenda item that goes
back onto the proposal's public timeline."""
