#include "rtlgen/sim_runner.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <algorithm>

#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"
#include "rtlgen/install_paths.hpp"

namespace rtlgen {

namespace fs = std::filesystem;

namespace {

// File contents for the cache key, without the DO-NOT-EDIT banner line: it names the command
// that generated the file, which changes with options that do not change the design.
std::string slurp_path(const fs::path& p) {
  std::string s = read_file_bytes(p.string());
  if (s.rfind("// DO NOT EDIT.", 0) == 0) s.erase(0, s.find('\n'));
  return s;
}

uint64_t fnv1a(uint64_t h, const std::string& s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// C++ optimisation of the harness build: -O2/-O3 by default (fastest simulation);
// RTLGEN_SIM_OPT=-O1 builds a design about 20% faster at the same simulation speed (LeNet 712:
// 90 s instead of 113 s), which pays off in regressions of a few frames (the CI tests set it).
std::string harness_opt_level() {
  const char* env = std::getenv("RTLGEN_SIM_OPT");
  if (!env || !*env) return "";
  const std::string v = env;
  if (v != "-O0" && v != "-O1" && v != "-O2" && v != "-O3" && v != "-Os")
    throw Error(fmt::format("RTLGEN_SIM_OPT='{}': expected one of -O0, -O1, -O2, -O3, -Os", v));
  return v;
}

// Everything the harness binary depends on: RTL, wrapper, taps header, harness sources, core lib.
uint64_t build_key(const SimOptions& o) {
  uint64_t h = 1469598103934665603ull;
  std::vector<fs::path> files;
  for (const char* sub : {"rtl", "sim"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(o.out_dir) / sub))
      if (e.is_regular_file()) files.push_back(e.path());
  const fs::path src = install_paths().data_dir;
  for (const auto& e : fs::recursive_directory_iterator(src / "sim"))
    if (e.is_regular_file() && e.path().string().find("/build") == std::string::npos)
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) h = fnv1a(fnv1a(h, f.filename().string()), slurp_path(f));
  const fs::path lib = install_paths().core_lib;
  if (fs::exists(lib)) h = fnv1a(h, std::to_string(fs::last_write_time(lib).time_since_epoch().count()));
  h = fnv1a(h, o.trace.empty() ? "notrace" : "trace");
  h = fnv1a(h, harness_opt_level());
  return h;
}

}  // namespace

int run_simulation(const SimOptions& o) {
  const InstallPaths& paths = install_paths();
  const fs::path src = paths.data_dir;
  const fs::path lib = paths.core_lib;
  if (!fs::exists(lib))
    throw Error(fmt::format("{}: rtlgen's core library is missing (rtlgen found its files in the {}); "
                            "build rtlgen, or reinstall it",
                            lib.string(), paths.origin));
  const char* cache_env = std::getenv("RTLGEN_SIM_CACHE");
  const fs::path cache_root = cache_env && *cache_env ? fs::path(cache_env) : fs::path(paths.sim_cache);
  const fs::path build = cache_root / fmt::format("{}-{:016x}", o.top, build_key(o));
  const fs::path exe = build / "network_sim";
  const fs::path out = fs::absolute(o.out_dir);
  if (!fs::exists(exe)) {
    fmt::print("rtlgen sim: building the Verilator harness in {} (cached for reuse)\n", build.string());
    fs::create_directories(build);
    const std::string opt = harness_opt_level();
    const std::string configure = fmt::format(
        "cmake -S {} -B {} -G Ninja -DCMAKE_BUILD_TYPE=Release -DRTLGEN_OUT={} -DRTLGEN_TOP={} "
        "-DRTLGEN_CORE_LIB={} -DRTLGEN_TRACE={} -DRTLGEN_OPT={} > {} 2>&1",
        shell_quote((src / "sim" / "network").string()), shell_quote(build.string()), shell_quote(out.string()),
        o.top, shell_quote(lib.string()), o.trace.empty() ? "OFF" : "ON",
        opt.empty() ? "default" : opt,
        shell_quote((build / "configure.log").string()));
    if (run_shell(configure) != 0)
      throw Error(fmt::format("Verilator/CMake configure failed; see {}", (build / "configure.log").string()));
    const std::string make = fmt::format("cmake --build {} -j {} > {} 2>&1", shell_quote(build.string()),
                                         std::max(1u, std::thread::hardware_concurrency()),
                                         shell_quote((build / "build.log").string()));
    if (run_shell(make) != 0) {
      fs::remove(exe);
      throw Error(fmt::format("harness build failed; see {}", (build / "build.log").string()));
    }
  }
  std::string cmd = shell_quote(exe.string()) + " --net " + shell_quote(fs::absolute(o.network).string()) +
                    " --mem-dir " + shell_quote((out / "mem").string());
  for (const auto& a : o.harness_args) cmd += " " + shell_quote(a);
  if (!o.trace.empty()) cmd = "RTLGEN_FST=" + shell_quote(fs::absolute(o.trace).string()) + " " + cmd;
  return run_shell(cmd);
}

}  // namespace rtlgen
