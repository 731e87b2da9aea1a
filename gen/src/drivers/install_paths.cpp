#include "rtlgen/install_paths.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "rtlgen/error.hpp"

namespace rtlgen {

namespace fs = std::filesystem;

namespace {

bool holds_templates(const fs::path& data) {
  std::error_code ec;
  return fs::is_regular_file(data / "rtl_templates" / "rtlgen_mvu.v", ec);
}

// Per-user cache for an installed rtlgen (the install tree is usually not writable).
std::string user_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return (fs::path(x) / "rtlgen" / "sim-cache").string();
  if (const char* h = std::getenv("HOME"); h && *h)
    return (fs::path(h) / ".cache" / "rtlgen" / "sim-cache").string();
  return (fs::temp_directory_path() / "rtlgen-sim-cache").string();
}

InstallPaths from_prefix(const fs::path& prefix, const std::string& origin) {
  InstallPaths p;
  p.origin = origin;
  p.data_dir = (prefix / kInstallDataDir).lexically_normal().string();
  p.core_lib = (prefix / kInstallLibDir / "librtlgen_core.a").lexically_normal().string();
  p.sim_cache = user_cache_dir();
  return p;
}

InstallPaths locate() {
  if (const char* env = std::getenv("RTLGEN_PREFIX"); env && *env) {
    const fs::path prefix = fs::absolute(env);
    if (!holds_templates(prefix / kInstallDataDir))
      throw Error(
          fmt::format("RTLGEN_PREFIX={}: no {}/rtl_templates/ there; point it at the "
                      "directory rtlgen was installed into (the one holding bin/ and "
                      "share/), or unset it",
                      env, kInstallDataDir));
    return from_prefix(prefix, "RTLGEN_PREFIX=" + prefix.string());
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const fs::path prefix = ec ? fs::path() : exe.parent_path().parent_path();
  if (!prefix.empty() && holds_templates(prefix / kInstallDataDir))
    return from_prefix(prefix, "installed in " + prefix.string());
  if (holds_templates(RTLGEN_SOURCE_DIR)) {
    InstallPaths p;
    p.origin = fmt::format("source tree {} (build tree {})", RTLGEN_SOURCE_DIR, RTLGEN_BINARY_DIR);
    p.data_dir = RTLGEN_SOURCE_DIR;
    p.core_lib = (fs::path(RTLGEN_BINARY_DIR) / "gen" / "librtlgen_core.a").string();
    p.sim_cache = (fs::path(RTLGEN_BINARY_DIR) / "sim-cache").string();
    return p;
  }
  throw Error(fmt::format(
      "cannot find rtlgen's templates: looked in {} (installed next to the binary) and {} (the "
      "source tree it was built from). Reinstall rtlgen, or set RTLGEN_PREFIX to its install "
      "prefix",
      (prefix / kInstallDataDir / "rtl_templates").string(),
      (fs::path(RTLGEN_SOURCE_DIR) / "rtl_templates").string()));
}

}  // namespace

const InstallPaths& install_paths() {
  static const InstallPaths paths = locate();
  return paths;
}

}  // namespace rtlgen
