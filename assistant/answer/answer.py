"""What an answer is, whatever composed it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.corpus.kinds import Confidence, Kind


class Source(BaseModel):
    """A public page the answer cites: who publishes it, where it is, the sentences quoted from it, and how far it
    can be trusted."""

    title: str = Field(description="The page's publisher and title (or the document's title).")
    url: str | None = Field(None, description="The public page that holds the cited sentences' facts.")
    snippet: str = Field(description="The answer's sentences that this page backs.")
    kind: Kind | None = Field(
        None,
        description="official (EUR-Lex, the Commission and its agencies, CEMR on its own work), contact-point "
        "(national CERV contact points and public funding portals), association, or secondary (aggregators, "
        "press, Wikipedia); null when the document names no registered source.",
    )
    confidence: Confidence | None = Field(
        None, description="How far the page's facts can be trusted (from the corpus's fact file)."
    )


class Answer(BaseModel):
    """An answer with the sources it cites ([1], [2] in the text refer to the list's order)."""

    answer: str = Field(description="The answer, with citation markers such as [1].")
    answered: bool = Field(description="False when the documents do not hold the answer (the text then says so).")
    sources: list[Source] = Field(default_factory=list, description="Exactly the sources cited in the answer.")
    language: str = Field("en", description="Language of the answer's own words (ISO 639-1).")
    refused_by: str | None = Field(
        None,
        description="When not answered: the check that refused (a gate of assistant/answer/gates.py, "
        '"small_talk" for a greeting or thanks, "no_passages" when nothing was retrieved); null when answered.',
    )
    # For evaluation and logs only; not part of the HTTP contract.
    retrieved: list[str] = Field(default_factory=list, exclude=True)
    cited: list[str] = Field(default_factory=list, exclude=True)
    standalone: str = Field("", exclude=True)
    # Values the assistant computed rather than quoted (a difference, a sum, days left, today's date), as written in
    # the answer: the evaluation does not look for them in the cited passages.
    computed: list[str] = Field(default_factory=list, exclude=True)
