// Where rtlgen finds the files it ships besides the binary: RTL templates, the Verilator
// harness sources and the core library the harness links. Installed (`cmake --install`, the
// Debian package) they sit next to the binary, PREFIX/bin/rtlgen:
//   PREFIX/share/rtlgen/{rtl_templates, sim/include, sim/network, sim/find_verilator.py, gen/include}
//   PREFIX/lib/rtlgen/librtlgen_core.a
// (share/rtlgen mirrors the source tree, so the harness builds from both). A binary
// that is not installed (build/gen/rtlgen) uses the source and build trees it was built from.
// RTLGEN_PREFIX=PREFIX overrides the lookup; RTLGEN_TEMPLATES=DIR the templates alone.
#pragma once

#include <string>

namespace rtlgen {

struct InstallPaths {
  std::string origin;     // how they were found, for messages and `rtlgen --version`
  std::string data_dir;   // root of rtl_templates/, sim/, gen/include/
  std::string core_lib;   // librtlgen_core.a
  std::string sim_cache;  // default cache of harness builds (RTLGEN_SIM_CACHE overrides)
};

// Resolved once; throws rtlgen::Error naming the places it looked when none holds the files.
const InstallPaths& install_paths();

// Relative path of the install tree's parts under PREFIX.
inline constexpr const char* kInstallDataDir = "share/rtlgen";
inline constexpr const char* kInstallLibDir = "lib/rtlgen";

}  // namespace rtlgen
