"""What an answer is, whatever composed it."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Source(BaseModel):
    """A passage the answer used: its document's title, official page and the words quoted."""

    title: str = Field(description="Title of the document the passage comes from.")
    url: str | None = Field(None, description="The official public page the document was written from.")
    snippet: str = Field(description="The passage's words that the answer used.")


class Answer(BaseModel):
    """An answer with the sources it cites ([1], [2] in the text refer to the list's order)."""

    answer: str = Field(description="The answer, with citation markers such as [1].")
    answered: bool = Field(description="False when the documents do not hold the answer (the text then says so).")
    sources: list[Source] = Field(default_factory=list, description="Exactly the sources cited in the answer.")
    language: str = Field("en", description="Language of the answer's own words (ISO 639-1).")
    # For evaluation and logs only; not part of the HTTP contract.
    retrieved: list[str] = Field(default_factory=list, exclude=True)
    cited: list[str] = Field(default_factory=list, exclude=True)
    standalone: str = Field("", exclude=True)
