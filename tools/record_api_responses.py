"""Capture fresh arXiv and GitHub answers into workshop_lib/data/recorded/ (needs the internet).

    python tools/record_api_responses.py                 # every request listed in recordings.json
    python tools/record_api_responses.py --only github   # or only one service
    python tools/record_api_responses.py --dry-run       # fetch and check, write nothing
    python tools/record_api_responses.py --folder DIR    # a copy of the recorded folder instead

The requests come from workshop_lib/data/recorded/recordings.json (service, kind, key, file). Each
one is asked live through the library's own helpers (the same pacing, headers and parser a
notebook uses; the same capture as the instructor's snapshot), with no cache. Its file is
rewritten, and its entry in recordings.json gets today's date, "captured live" and the request
address, replacing any "assembled by hand" note. A request that does not get a live answer keeps its old file and
entry, and the script ends with exit code 1.

To record a new request, add an entry to recordings.json (copy one of the same kind, change
"key" and "file") and run this script. A GitHub token (GITHUB_TOKEN) raises GitHub's limits; it
is sent only to GitHub and never written to any file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "workshop_lib" / "data" / "recorded"
METHOD = "captured live from the API by tools/record_api_responses.py"


def capture(entry: dict) -> tuple[bytes, str]:
    """Ask arXiv or GitHub live for one recorded request; return (body, request address).

    The same capture as the instructor's snapshot (python -m workshop_lib snapshot).
    """
    from workshop_lib.research import snapshot

    stored = snapshot.capture(entry["service"], entry["kind"], entry["key"])
    if stored.status != 200:
        raise RuntimeError(f"HTTP {stored.status} for {stored.url}")
    return stored.body, stored.url


def provenance(url: str) -> dict:
    return {
        "recorded": datetime.now(UTC).strftime("%Y-%m-%d"),
        "method": METHOD,
        "sources": [url],
        "notes": [],
    }


def write_file(path: Path, body: bytes, about: dict) -> None:
    """Write one answer with a plain statement of how and when it was recorded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        data = json.loads(body)
        if isinstance(data, dict):
            data = {"_recording": about, **data}
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
        return
    text = body.decode("utf-8")
    comment = (
        "<!--\n  Recorded answer of arXiv's API (Atom 1.0), used by workshop_lib when arXiv cannot be "
        f"asked.\n  Recorded on {about['recorded']}: {about['method']}.\n  Source: "
        f"{about['sources'][0]}\n-->\n"
    )
    if text.startswith("<?xml"):
        declaration, rest = text.split("\n", 1) if "\n" in text else (text, "")
        text = f"{declaration}\n{comment}{rest}"
    else:
        text = comment + text
    path.write_text(text, "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["arxiv", "github"], help="record one service only")
    parser.add_argument("--dry-run", action="store_true", help="fetch and check, write nothing")
    parser.add_argument(
        "--folder", type=Path, default=RECORDED, help="the recorded folder to update"
    )
    args = parser.parse_args(argv)
    index_path = args.folder / "recordings.json"

    os.environ.pop("WORKSHOP_OFFLINE", None)
    os.environ["WORKSHOP_CACHE"] = tempfile.mkdtemp(prefix="record-api-")  # never reuse old answers
    sys.path.insert(0, str(ROOT))

    index = json.loads(index_path.read_text("utf-8"))
    captured: dict[str, tuple[bytes, dict]] = {}  # file -> (body, provenance); shared files once
    failures = 0
    for entry in index["recordings"]:
        if args.only and entry["service"] != args.only:
            continue
        label = f"{entry['service']} {entry['kind']} {entry['key']!r}"
        if entry["file"] in captured:
            about = captured[entry["file"]][1]
        else:
            try:
                body, url = capture(entry)
            except Exception as err:  # report every failure, keep the old recording
                failures += 1
                print(f"FAILED  {label}: {err}")
                continue
            about = provenance(url)
            captured[entry["file"]] = (body, about)
        for field in ("caveat",):
            entry.pop(field, None)
        entry.update(about, status=200)
        print(f"ok      {label} -> {entry['file']}")

    if args.dry_run:
        print("Dry run: nothing written.")
        return 1 if failures else 0
    for file, (body, about) in captured.items():
        write_file(args.folder / file, body, about)
    index_path.write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"{len(captured)} file(s) written; {failures} request(s) failed.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
