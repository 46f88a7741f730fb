"""Run notebooks the way Colab does, inside the Colab-like virtual environment.

Called by tests/test_colab_path.py with this environment's Python:

    python run_notebooks.py --source SPEC --workdir DIR --report FILE NOTEBOOK...

Each notebook is copied into DIR (the stand-in for Colab's /content, outside the repository), its
setup cell's install source is replaced by SPEC (a local git clone instead of the published
repository), and it runs top to bottom offline with a stand-in `google.colab` loaded at start.
Before each notebook workshop_lib is uninstalled, as on a fresh Colab runtime, so every setup cell
really installs it. The report (JSON) gives per notebook: ok or the error, the setup cell's time,
and the installed package versions before and after.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import nbclient
import nbformat

STAND_IN = Path(__file__).resolve().parent / "stand_in"
INSTALL_SOURCE = re.compile(r'"(workshop_lib(\[[\w,]+\])?) @ git\+https://github\.com/[^"]+"')


def installed_versions() -> dict[str, str]:
    """Name -> version of every distribution in this environment, read afresh."""
    lines = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {item["name"].lower().replace("_", "-"): item["version"] for item in json.loads(lines)}


def kernel_environment(pip_cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["WORKSHOP_OFFLINE"] = "1"
    env["PYTHONPATH"] = str(STAND_IN)
    env["PATH"] = (
        f"{STAND_IN / 'bin'}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    )
    env["PIP_CACHE_DIR"] = str(pip_cache)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.pop("VIRTUAL_ENV", None)
    return env


def setup_seconds(cell) -> float | None:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    from datetime import datetime

    def parse(stamp):
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))

    return (parse(end) - parse(start)).total_seconds()


def run_one(path: Path, source: str, workdir: Path, env: dict[str, str]) -> dict:
    notebook = nbformat.read(path, as_version=4)
    setup_index = None
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and INSTALL_SOURCE.search(cell.source):
            cell.source = INSTALL_SOURCE.sub(rf'"\1 @ {source}"', cell.source)
            setup_index = index
            break
    if setup_index is None:
        return {
            "ok": False,
            "error": "no setup cell that installs workshop_lib from the repository",
        }
    target = workdir / path.name
    nbformat.write(notebook, target)
    subprocess.run(
        [sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "workshop_lib"],
        check=False,
        capture_output=True,
    )
    client = nbclient.NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        record_timing=True,
    )
    started = time.monotonic()
    try:
        client.execute(cwd=str(workdir), env=env)
        result = {"ok": True}
    except nbclient.exceptions.CellExecutionError as err:
        result = {"ok": False, "error": str(err)[-4000:]}
    except Exception as err:  # a dead kernel or a timeout: report it, carry on with the others
        result = {"ok": False, "error": f"{type(err).__name__}: {err}"[-4000:]}
    result["seconds"] = round(time.monotonic() - started, 1)
    result["setup_seconds"] = setup_seconds(notebook.cells[setup_index])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True)
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--report", required=True, type=Path)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args()

    args.workdir.mkdir(parents=True, exist_ok=True)
    pip_cache = args.workdir.parent / "pip-cache"
    shutil.rmtree(pip_cache, ignore_errors=True)
    pip_cache.mkdir()
    env = kernel_environment(pip_cache)
    report = {"before": installed_versions(), "notebooks": {}}
    for path in args.notebooks:
        report["notebooks"][path.name] = run_one(path, args.source, args.workdir, env)
    report["after"] = installed_versions()
    report["downloaded_bytes"] = sum(f.stat().st_size for f in pip_cache.rglob("*") if f.is_file())
    report["python"] = sys.version.split()[0]
    report["metadata_numpy"] = metadata.version("numpy")
    args.report.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
