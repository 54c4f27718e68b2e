"""The call registry: each call's typed facts (deadline, budget, grant range, counts ...) with their sources, loaded
from the call documents' front matter at ingestion and queried by type, year, relative year and attribute."""

from assistant.calls.models import ATTRIBUTES, CallFacts
from assistant.calls.registry import Call, CallRegistry

__all__ = ["ATTRIBUTES", "Call", "CallFacts", "CallRegistry"]
