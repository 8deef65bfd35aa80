"""Safeguarding: screening young people's free text for possible disclosures of harm."""
