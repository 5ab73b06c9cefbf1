from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from core.settings import ROOT, Policy, Settings

SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch):
    """No test sees the developer's CITEWISE_* settings."""
    for name in list(os.environ):
        if name.startswith("CITEWISE_"):
            monkeypatch.delenv(name)


def make_fake_model(models_dir: Path, name: str = "fake-embedder") -> None:
    folder = models_dir / name
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"fake weights for " + name.encode())


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(tmp_path, docs) -> Settings:
    """Settings for a fake embedder, an index and documents all under tmp_path."""
    models = tmp_path / "models"
    make_fake_model(models)
    return Settings(models_dir=models, embed_model="fake-embedder", index_dir=tmp_path / "index",
                    docs_dirs=(docs,), chunk_chars=20, chunk_overlap=0, policy=Policy())


@pytest.fixture
def seed_docs(docs) -> Path:
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, docs / path.name)
    return docs


@pytest.fixture(scope="session")
def real_built(tmp_path_factory):
    """The seeds indexed with the real embedding model, once per test session."""
    from index.build import build_index
    from index.embedder import load_embedder

    settings = Settings(index_dir=tmp_path_factory.mktemp("real") / "index", docs_dirs=(SEEDS,))
    embedder = load_embedder(settings)
    return settings, embedder, build_index(settings, lambda: embedder)


@pytest.fixture(scope="session")
def real_engine(real_built):
    """The whole product with the real models: embedder, index, local GGUF chat model."""
    from app.engine import load_engine

    settings, embedder, _ = real_built
    return load_engine(settings, embedder=embedder)


def fake_index(settings, docs: Path, articles: dict[str, str], dim: int = 64, **changes):
    """Write `articles` into `docs` and index them with the fake embedder; return (settings, embedder)."""
    from fakes import fake_embedder

    from index.build import build_index

    for name, text in articles.items():
        (docs / name).write_text(text, encoding="utf-8")
    # The tuned pick thresholds are cosines of the real embedding model (D30); the hashing embedder's
    # cosines mean something else, so a test that relies on them sets them itself.
    settings = settings.with_(**{"pick_floor": 0.0, **changes})
    embedder = fake_embedder(settings, dim=dim)
    build_index(settings, lambda: embedder)
    return settings, embedder
