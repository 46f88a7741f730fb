#!/usr/bin/env bash
# One script for the workshop on your own Linux computer (Python 3.11 or newer).
#
#   bash workshop.sh lab     install everything (once), then open the workshop in JupyterLab
#   bash workshop.sh test    install everything (once), then run the whole test suite offline
#   bash workshop.sh test --quick   the loop to use while working: everything but the notebooks,
#                            the browser tests and the slow tests (a few minutes on 2 cores)
#   bash workshop.sh install install everything, nothing else
#
# It makes a virtual environment in .venv (PyTorch and friends: about 5 GB), installs the
# operating-system programs the notebooks use with apt (as root, or with sudo when it is there),
# and never touches the Python of your system. Running it again only installs what is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
venv="${WORKSHOP_VENV:-$here/.venv}"
python="${PYTHON:-python3}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

enable_debian_contrib_non_free() {
  # MBROLA (contrib), its voices and SVOX Pico (non-free) are outside Debian's "main" section.
  [[ -r /etc/os-release ]] || return 0
  local id codename
  id=$(. /etc/os-release && echo "${ID:-}")
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [[ "$id" == debian && -n "$codename" ]] || return 0
  grep -rqs "non-free" /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
  say "Enabling Debian's contrib and non-free sections (for the MBROLA and Pico voices)"
  printf '%s\n' "# Added by workshop.sh: MBROLA voices and SVOX Pico live in contrib/non-free." \
    "Types: deb" "URIs: http://deb.debian.org/debian" "Suites: $codename $codename-updates" \
    "Components: contrib non-free" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
    "${sudo[@]}" tee /etc/apt/sources.list.d/workshop-contrib-non-free.sources >/dev/null
}

install_system_programs() {
  # Programs listed in the given files (program, Debian package, purpose on each line). A first
  # word starting with "/" is a file the package installs (a voice), checked for existence.
  local missing=() program package _ list
  for list in "$@"; do
    while read -r program package _; do
      [[ -z "$program" || "$program" == \#* ]] && continue
      if [[ "$program" == /* ]]; then
        [[ -e "$program" ]] || missing+=("$package")
      else
        command -v "$program" >/dev/null 2>&1 || missing+=("$package")
      fi
    done < "$list"
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    say "Please install these programs with your system's package manager: ${missing[*]}"
    return 0
  fi
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
      say "Not root and no sudo: please ask an administrator to install: ${missing[*]}"
      return 0
    fi
  fi
  enable_debian_contrib_non_free
  say "Installing system programs: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_python_packages() {
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "Python 3.11 or newer is needed; '$python' is $("$python" --version 2>&1). Set PYTHON=python3.12 (for example) and run again."
    exit 1
  fi
  if [[ ! -x "$venv/bin/python" ]]; then
    say "Creating the virtual environment $venv"
    "$python" -m venv "$venv"
  fi
  local stamp="$venv/.workshop-installed"
  # Reinstall only when the requirement files changed since the last install.
  if [[ -f "$stamp" && "$stamp" -nt requirements.txt && "$stamp" -nt pyproject.toml ]]; then
    return 0
  fi
  say "Installing Python packages (the first time takes a few minutes)"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -r requirements.txt -e ".[dev,speech,app]"
  touch "$stamp"
}

command="${1:-lab}"
case "$command" in
  install)
    install_system_programs workshop_lib/system_programs.txt
    install_python_packages
    ;;
  lab)
    install_system_programs workshop_lib/system_programs.txt
    install_python_packages
    say "Opening the workshop in JupyterLab (stop it with Ctrl+C)"
    # Uploads arrive as one websocket message: allow photos and songs up to 200 MB.
    lab_args=(--notebook-dir="$here/notebooks"
              "--ServerApp.tornado_settings={'websocket_max_message_size': 209715200}")
    [[ $(id -u) -eq 0 ]] && lab_args+=(--allow-root)
    exec "$venv/bin/jupyter" lab "${lab_args[@]}" "${@:2}"
    ;;
  test)
    install_system_programs workshop_lib/system_programs.txt tests/system_programs.txt
    install_python_packages
    export WORKSHOP_OFFLINE=1
    args=("${@:2}")
    quick="not notebook and not browser and not colab and not slow"
    if [[ "${args[0]:-}" == "--quick" ]]; then
      say "Running the quick tests offline (no notebooks, browser, Colab-path or slow tests)"
      export WORKSHOP_FUZZ_SECONDS="${WORKSHOP_FUZZ_SECONDS:-1}"
      args=(-m "$quick" -n 2 "${args[@]:1}")
    elif [[ ${#args[@]} -eq 0 ]]; then
      # The whole suite in two runs: the quick tests on both cores, then the notebooks, browser,
      # Colab-path and slow tests one at a time (they share one notebook run and one browser).
      say "Running the tests offline: the quick ones on 2 cores, then the rest"
      status=0
      "$venv/bin/python" -m pytest -m "$quick" -n 2 || status=$?
      "$venv/bin/python" -m pytest -m "not ($quick)" || status=$?
      exit "$status"
    else
      say "Running the tests offline"
    fi
    exec "$venv/bin/python" -m pytest "${args[@]}"
    ;;
  *)
    echo "usage: bash workshop.sh [lab|test|install]" >&2
    exit 2
    ;;
esac
