import numpy as np

from assistant.embeddings import SentenceTransformerEmbeddings, resolve_model


def test_default_model_is_the_packaged_folder() -> None:
    path, packaged = resolve_model("all-MiniLM-L6-v2")
    assert packaged and path.endswith("model")
    assert resolve_model("/opt/models/other") == ("/opt/models/other", False)


def test_embeddings_are_normalised_384_dimensional(embeddings: SentenceTransformerEmbeddings) -> None:
    vectors = np.array(embeddings.embed_documents(["town twinning deadline", "budget of the call"]))
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = np.array(embeddings.embed_query("town twinning deadline"))
    assert np.allclose(query, vectors[0], atol=1e-5)


def test_similar_texts_are_closer(embeddings: SentenceTransformerEmbeddings) -> None:
    q, near, far = embeddings.encode(["When is the deadline?", "The call closes on 19 September.", "Cats sleep a lot."])
    assert q @ near > q @ far


def test_model_is_loaded_once_per_process(embeddings: SentenceTransformerEmbeddings) -> None:
    other = SentenceTransformerEmbeddings()
    assert other.model is embeddings.model


def test_token_counts_have_no_padding(embeddings: SentenceTransformerEmbeddings) -> None:
    short, longer = embeddings.count_tokens(["twinning", "town twinning grants for municipalities"])
    assert 1 <= short < longer < 20
