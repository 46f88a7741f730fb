"""The Colab path: notebooks run when the library is installed exactly as their setup cell installs it.

A virtual environment resembling Colab's runtime (tests/colab/requirements.txt: the same torch
pair, numpy 2, ipywidgets 7.7.1, anywidget 0.9) runs every notebook from a folder outside the
repository, with a stand-in `google.colab` module loaded, after the setup cell installs
workshop_lib from a local git clone of this checkout instead of the published repository.
"""

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.colab, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
COLAB = REPO / "tests" / "colab"
VENV = Path(os.environ.get("WORKSHOP_COLAB_VENV", REPO / ".venv-colab"))
COLAB_PYTHON = "3.13"  # Colab's Python since August 2026 (googlecolab/colabtools#6081)


def _is_python(candidate: str, version: str) -> bool:
    """Whether ``candidate`` runs and is that Python version (a pyenv shim may exist and not run)."""
    try:
        found = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return found.returncode == 0 and found.stdout.strip() == version


def colab_interpreter() -> str:
    """A Python 3.13 to build the Colab-like environment with: $WORKSHOP_COLAB_PYTHON, the PATH,
    or pyenv's versions folder (this project's machines have 3.13 through pyenv)."""
    candidates = [os.environ.get("WORKSHOP_COLAB_PYTHON"), shutil.which(f"python{COLAB_PYTHON}")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(str(p) for p in pyenv.glob(f"{COLAB_PYTHON}*/bin/python{COLAB_PYTHON}"))
    for candidate in filter(None, candidates):
        if Path(candidate).exists() and _is_python(candidate, COLAB_PYTHON):
            return candidate
    pytest.fail(
        f"The Colab path needs Python {COLAB_PYTHON} (Colab's version). Install it (for example "
        f"'pyenv install {COLAB_PYTHON}') or point WORKSHOP_COLAB_PYTHON at it."
    )


NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

# Installed by Colab; a setup cell that changes any of these breaks the learner's runtime.
PROTECTED = ("torch", "torchaudio", "torchcodec", "numpy", "ipywidgets", "ipykernel", "ipython")


@pytest.fixture(scope="session")
def colab_python():
    """The Python of the Colab-like environment, built once (reused while its requirements match)."""
    python = VENV / "bin" / "python"
    requirements = COLAB / "requirements.txt"
    stamp = VENV / ".colab-requirements"
    wanted = f"python {COLAB_PYTHON}\n" + requirements.read_text()
    if not (python.exists() and stamp.exists() and stamp.read_text() == wanted):
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([colab_interpreter(), "-m", "venv", str(VENV)], check=True)
        started = time.monotonic()
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True
        )
        print(f"Colab-like environment built in {time.monotonic() - started:.0f} s")
        stamp.write_text(wanted)
    return python


@pytest.fixture(scope="session")
def local_source(tmp_path_factory):
    """A git repository holding this checkout's files (committed or not), as pip's install source."""
    clone = tmp_path_factory.mktemp("published") / "repo"
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, files):
        source, target = REPO / name, clone / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(source.readlink())
        else:
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@localhost"]
    subprocess.run([*git, "init", "--quiet", "-b", "main"], cwd=clone, check=True)
    subprocess.run([*git, "add", "--all"], cwd=clone, check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "snapshot"], cwd=clone, check=True)
    # "localhost" because older pip versions reject file URLs with an empty host.
    return f"git+file://localhost{clone}@main"


def run_like_colab(python, source, notebooks, tmp_path) -> dict:
    report = tmp_path / "report.json"
    subprocess.run(
        [
            str(python),
            str(COLAB / "run_notebooks.py"),
            "--source",
            source,
            "--workdir",
            str(tmp_path / "content"),
            "--report",
            str(report),
            *map(str, notebooks),
        ],
        check=True,
        cwd=tmp_path,
    )
    return json.loads(report.read_text())


def changed_packages(report) -> dict[str, tuple[str, str | None]]:
    before, after = report["before"], report["after"]
    return {
        name: (version, after.get(name))
        for name, version in before.items()
        if after.get(name) != version
    }


def test_every_notebook_runs_as_on_colab(colab_python, local_source, tmp_path):
    report = run_like_colab(colab_python, local_source, NOTEBOOKS, tmp_path)

    failures = {name: run["error"] for name, run in report["notebooks"].items() if not run["ok"]}
    changed = changed_packages(report)
    artifacts = REPO / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "colab-report.json").write_text(json.dumps(report, indent=1))
    setup_times = {name: run.get("setup_seconds") for name, run in report["notebooks"].items()}
    print(
        f"\nColab-like run (Python {report['python']}): setup cell seconds {setup_times}; "
        f"downloaded {report['downloaded_bytes'] / 1e6:.1f} MB; changed packages {changed}"
    )
    assert not failures, "\n\n".join(f"{name}:\n{error}" for name, error in failures.items())
    assert not {name: change for name, change in changed.items() if name in PROTECTED}, changed
    assert report["after"]["ipywidgets"] == "7.7.1"
    assert not changed, f"the setup cells changed packages Colab preinstalls: {changed}"


def test_notebook_reading_a_repository_path_fails_on_colab(colab_python, local_source, tmp_path):
    setup_cell = nbformat.read(NOTEBOOKS[0], as_version=4).cells[1]
    broken = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Reads a file by a path into the repository"),
            setup_cell,
            nbformat.v4.new_code_cell('print(open("../data/README.md").read()[:40])'),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path = tmp_path / "99_reads_repo_path.ipynb"
    nbformat.write(broken, path)

    report = run_like_colab(colab_python, local_source, [path], tmp_path)

    run = report["notebooks"][path.name]
    assert not run["ok"]
    assert "FileNotFoundError" in run["error"]
