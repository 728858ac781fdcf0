# Sourced by bench/*.sh: repository paths, the release build of scribe, the peers' venv, and OpenBLAS setup.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$repo/bench/out
mkdir -p "$out"
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
if [[ -z "${OPENBLAS_CORETYPE:-}" ]]; then
  if [[ $flags == *avx512f* && $flags == *avx512bw* && $flags == *avx512vl* ]]; then export OPENBLAS_CORETYPE=SKYLAKEX
  elif [[ $flags == *avx2* ]]; then export OPENBLAS_CORETYPE=HASWELL; fi
fi

# Release build of scribe, in its own scratch folder so it never fights the debug test build.
# SCRIBE=path/to/scribe uses that binary instead (e.g. while a training runs from .build-release).
scribe_release() {
  if [[ -n ${SCRIBE:-} ]]; then return; fi
  (cd "$repo" && swift build -c release --product scribe --scratch-path .build-release >&2)
  SCRIBE="$repo/.build-release/release/scribe"
}

# The peers' Python environment: bench/.venv with the packages given.
peer_venv() {
  local venv=$repo/bench/.venv
  [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
  if ! "$venv/bin/python" -c "import $(IFS=,; echo "${*//-/_}")" 2>/dev/null; then
    "$venv/bin/pip" install -q "$@" >&2
  fi
  PY=$venv/bin/python
}
