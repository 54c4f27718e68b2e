"""The one ``Assistant`` service every channel calls: CLI, API, widget, Telegram bot and evaluator.

Built once from settings (the model, the Chroma client and the lexical index are loaded once and shared), it
answers through a LangChain runnable chain: understand (language, follow-up condensing, small talk) →
retrieve (hybrid) → compose (extractive by default; an OpenAI-compatible LLM when configured).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import ensure_config, get_callback_manager_for_config

from assistant.answer.answer import Answer
from assistant.answer.extractive import FREQUENT_WORDS, ExtractiveComposer, Thresholds
from assistant.answer.gates import SMALL_TALK
from assistant.answer.messages import message
from assistant.calls import CallRegistry
from assistant.config import Settings
from assistant.dates import Clock, Deadline, system_clock
from assistant.embeddings import TextEmbeddings, from_settings
from assistant.question.languages import warm_up
from assistant.question.places import warm_up as warm_up_places
from assistant.question.query import Query, analyse, correct_typos
from assistant.retrieval.hybrid import HybridSearcher, Passage
from assistant.store import get_collection, make_client, store_errors

log = logging.getLogger(__name__)


@dataclass
class _State:
    question: str
    history: list[dict[str, str]]
    language: str | None = None
    query: Query | None = None
    passages: list[Passage] = field(default_factory=list)


class _Step(Runnable[Any, Any]):
    """One step of the chain: a function run under the chain's callbacks and config, as LangChain documents for
    ``Runnable`` subclasses. Unlike ``RunnableLambda`` it does not inspect the function's signature on every
    call (four ``inspect.signature`` calls per step, a tenth of a warm answer's own work)."""

    def __init__(self, func: Callable[[Any], Any], name: str) -> None:
        self.func = func
        self.name = name

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:  # noqa: A002
        return self._call_with_config(self.func, input, config)


@dataclass(frozen=True)
class StreamEvent:
    """A piece of a streamed answer: ``delta`` (text), then ``sources``, then ``done``."""

    event: str
    data: Any


class Assistant:
    """Answers questions from the indexed corpus. Thread-safe; build one per process."""

    def __init__(
        self,
        settings: Settings,
        embeddings: TextEmbeddings | None = None,
        clock: Clock | None = None,
        composer: ExtractiveComposer | None = None,
    ) -> None:
        self.settings = settings
        self.embeddings = embeddings or from_settings(settings)
        self.clock = clock or system_clock
        self.composer = composer or ExtractiveComposer(
            Thresholds.for_model(settings.embedding_model),
            frequent_words=self.embeddings.frequent_words(FREQUENT_WORDS),
        )
        with store_errors():
            client = make_client(settings)
            get_collection(client, settings.collection, settings.embedding_model)
        self.searcher = HybridSearcher(client, settings.collection, self.embeddings, settings.retrieval_mode)
        self.llm = None
        if settings.llm_base_url and settings.llm_model:
            from assistant.answer.llm import LLMComposer

            self.llm = LLMComposer(settings)
        # The chain's preparation (shared by ``ask`` and ``stream``), then the answer.
        self.prepare = _Step(self._understand, name="condense") | _Step(self._retrieve, name="retrieve")
        self.chain = self.prepare | _Step(self._compose, name="compose")

    def warm_up(self) -> None:
        """Load the model, the language detector and the lexical index now rather than on the first question."""
        self.embeddings.encode_queries(["warm up"])
        warm_up()
        warm_up_places()
        _ = self.searcher.lexical

    @property
    def chunk_count(self) -> int:
        """Chunks in the index, asked of the store itself (raises ``StoreUnavailable`` when it is down)."""
        with store_errors():
            return self.searcher.collection.count()

    def now(self) -> dt.datetime:
        """Today, by the assistant's (injectable) clock."""
        now = self.clock()
        return now if now.tzinfo else now.replace(tzinfo=dt.UTC)

    @property
    def calls(self) -> CallRegistry:
        """The call registry: every call's typed facts with their sources (``assistant/calls``), as indexed."""
        return self.searcher.lexical.calls

    def deadlines(self) -> list[Deadline]:
        """Every call deadline in the corpus (from the documents' ``deadline`` metadata), oldest first."""
        return self.searcher.lexical.deadlines

    def ask(self, question: str, history: list[dict[str, str]] | None = None, language: str | None = None) -> Answer:
        """Answer ``question`` given earlier ``history`` turns ({"role", "content"})."""
        state = _State(question.strip(), list(history or []), language)
        if not self._traced():
            # Nothing listens (no callbacks, no tracing): the same steps without the chain's run bookkeeping,
            # which cost about a third of a warm answer's own work.
            return self._compose(self._retrieve(self._understand(state)))
        return self.chain.invoke(state)

    def stream(
        self, question: str, history: list[dict[str, str]] | None = None, language: str | None = None
    ) -> Iterator[StreamEvent]:
        """The answer in pieces as they are ready, then its sources, then a closing event. The same steps as
        ``ask`` (the chain's preparation, then ``_respond``), streamed."""
        state = _State(question.strip(), list(history or []), language)
        state = self.prepare.invoke(state) if self._traced() else self._retrieve(self._understand(state))
        for event in self._respond(state, stream=True):
            if isinstance(event, Answer):
                yield StreamEvent("sources", [s.model_dump() for s in event.sources])
                done = {"answered": event.answered, "language": event.language, "answer": event.answer}
                yield StreamEvent("done", {**done, "refused_by": event.refused_by})
            else:
                yield event

    @staticmethod
    def _traced() -> bool:
        return bool(get_callback_manager_for_config(ensure_config()).handlers)

    # -- the chain's steps -------------------------------------------------------------------------------------
    def understand(self, question: str, history: list[dict[str, str]], language: str | None = None) -> Query:
        """The analysed question (language, years, calls, intents, standalone form), typing slips corrected."""
        query = analyse(question, history, language)
        if not query.small_talk and query.language == "en":
            # Typing slips ("deadine", "twining") are read as the corpus word one letter away.
            corrected = correct_typos(question, self.searcher.lexical, self.embeddings.dictionary)
            if corrected != question:
                query = analyse(corrected, history, query.language)
                query.text = question
        return query

    def _understand(self, state: _State) -> _State:
        state.query = self.understand(state.question, state.history, state.language)
        return state

    def _retrieve(self, state: _State) -> _State:
        assert state.query is not None
        if not state.query.small_talk:
            state.passages = self.searcher.search(state.query, self.settings.top_k)
        return state

    def _compose(self, state: _State) -> Answer:
        *_, answer = self._respond(state, stream=False)
        assert isinstance(answer, Answer)
        return answer

    def _respond(self, state: _State, stream: bool) -> Iterator[StreamEvent | Answer]:
        """The one answering path: the LLM when one is configured (its pieces streamed when ``stream``), the
        extractive answer when it is not or when it fails; the ``Answer`` comes last."""
        answer: Answer | None = None
        query = state.query
        if self.llm is not None and query is not None and not query.small_talk and state.passages:
            pieces: list[str] = []
            try:
                if stream:
                    for piece in self.llm.stream(query, state.passages):
                        pieces.append(piece)
                        yield StreamEvent("delta", {"text": piece})
                    answer = self.llm.finish(query, state.passages, "".join(pieces))
                else:
                    answer = self.llm.answer(query, state.passages)
            except Exception as exc:  # the endpoint failed: the extractive answer is still right
                log.warning("LLM answer failed, answering extractively: %s", exc)
                if pieces:
                    yield StreamEvent("reset", {})
        if answer is None:
            answer = self._compose_extractive(state)
            if stream:
                for piece in _pieces(answer.answer):
                    yield StreamEvent("delta", {"text": piece})
        yield answer

    def _compose_extractive(self, state: _State) -> Answer:
        query = state.query
        assert query is not None
        if query.small_talk:
            return Answer(
                answer=message(query.language, query.small_talk),
                answered=False,
                language=query.language,
                refused_by=SMALL_TALK,
            )
        return self.composer.compose(query, state.passages, self.searcher.lexical, self.now())


def _pieces(text: str) -> list[str]:
    """Split an answer into sentence-sized pieces for streaming (joined, they give the text back)."""
    parts = re.split(r"(?<=[.!?\]:])(\s+)", text)
    out: list[str] = []
    for part in parts:
        if out and (not part.strip()):
            out[-1] += part
        elif part:
            out.append(part)
    return out or [text]
