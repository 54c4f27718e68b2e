"""Optional answers written by an OpenAI-compatible chat model (Ollama, vLLM, llama.cpp, ...) from the same
passages the extractive composer uses, citing them with the same [n] markers.

The model is told to answer only from the numbered passages and to reply with the marker ``[NO_ANSWER]`` when
they do not hold the answer; its reply's markers decide which sources are listed. Any failure raises, and the
``Assistant`` falls back to the extractive answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.answer.answer import Answer, Source
from assistant.answer.messages import MESSAGES
from assistant.config import Settings
from assistant.question.query import Query
from assistant.retrieval.hybrid import Passage

NO_ANSWER = "[NO_ANSWER]"
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "it": "Italian",
    "hu": "Hungarian",
    "ro": "Romanian",
    "de": "German",
    "es": "Spanish",
}
SYSTEM = (
    "You answer questions of municipal officers about EU town-twinning funding (the CERV programme and CEMR). "
    "Use ONLY the numbered passages given. Cite every statement with the passage number in square brackets, "
    "like [1] or [2]. Keep the answer short and exact: dates, amounts and conditions as the passages state them. "
    "If passages disagree, say so and give both values with their numbers. If the passages do not contain the "
    f"answer, reply with {NO_ANSWER} followed by one sentence saying what is missing. Write in {{language}}."
)


class LLMComposer:
    def __init__(self, settings: Settings) -> None:
        from langchain_openai import ChatOpenAI

        self.chat = ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed",
            timeout=settings.llm_timeout,
            max_retries=1,
            temperature=0,
        )

    @staticmethod
    def _documents(passages: list[Passage]) -> list[tuple[str, list[Passage]]]:
        docs: dict[str, list[Passage]] = {}
        for p in passages[:6]:
            docs.setdefault(p.metadata.get("doc_id", p.chunk.id), []).append(p)
        return list(docs.items())

    def _messages(self, query: Query, passages: list[Passage]) -> list[tuple[str, str]]:
        blocks = []
        for n, (_, group) in enumerate(self._documents(passages), 1):
            title = group[0].metadata.get("title", "")
            body = "\n".join(p.chunk.body.strip() for p in group)
            blocks.append(f"[{n}] {title}\n{body}")
        system = SYSTEM.format(language=LANGUAGE_NAMES.get(query.language, "English"))
        user = "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {query.standalone}"
        return [("system", system), ("user", user)]

    def answer(self, query: Query, passages: list[Passage]) -> Answer:
        reply = self.chat.invoke(self._messages(query, passages))
        return self.finish(query, passages, str(reply.content))

    def stream(self, query: Query, passages: list[Passage]) -> Iterator[str]:
        for chunk in self.chat.stream(self._messages(query, passages)):
            if chunk.content:
                yield str(chunk.content)

    def finish(self, query: Query, passages: list[Passage], text: str) -> Answer:
        """Turn the model's reply into an Answer: renumber the cited passages, list exactly those."""
        if not text.strip():
            raise ValueError("the model returned an empty answer")
        documents = self._documents(passages)
        answered = NO_ANSWER not in text
        text = text.replace(NO_ANSWER, "").strip()
        cited: list[int] = []
        for m in re.finditer(r"\[(\d+)\]", text):
            n = int(m.group(1))
            if 1 <= n <= len(documents) and n not in cited:
                cited.append(n)
        text = re.sub(
            r"\[(\d+)\]",
            lambda m: f"[{cited.index(int(m.group(1))) + 1}]" if int(m.group(1)) in cited else "",
            text,
        )
        sources = []
        for n in cited:
            group = documents[n - 1][1]
            meta = group[0].metadata
            sources.append(
                Source(
                    title=str(meta.get("title", "")),
                    url=meta.get("source_url"),
                    snippet=group[0].chunk.body.strip()[:300],
                )
            )
        if not answered:
            text = f"{MESSAGES.get(query.language, MESSAGES['en'])['refusal']} {text}".strip()
        return Answer(
            answer=text,
            answered=answered and bool(cited),
            sources=sources,
            language=query.language,
            retrieved=[d for d, _ in documents],
            cited=[documents[n - 1][0] for n in cited],
            standalone=query.standalone,
            # The model said it cannot answer, or cited nothing it was given.
            refused_by=None if answered and cited else "llm",
        )
