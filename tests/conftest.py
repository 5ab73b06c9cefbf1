from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from core.settings import ROOT, Settings

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
                    docs_dirs=(docs,), chunk_chars=20, chunk_overlap=0)


@pytest.fixture
def seed_docs(docs) -> Path:
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, docs / path.name)
    return docs
