// Reports, file lists, memory files and the atomic output directory of `rtlgen generate`.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rtlgen/emit.hpp"
#include "rtlgen/emit_vendor.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/install_paths.hpp"
#include "rtlgen/resource_model.hpp"

namespace rtlgen {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMarker = ".rtlgen";

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw Error(fmt::format("{}: cannot read template", p.string()));
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

std::string template_dir() {
  if (const char* env = std::getenv("RTLGEN_TEMPLATES")) return env;
  return (fs::path(install_paths().data_dir) / "rtl_templates").string();
}

std::string emit_report_json(const Network& net, const HwPlan& plan, const std::string& command) {
  nlohmann::ordered_json j;
  j["generated_by"] = command;
  j["network"] = net.name;
  j["top"] = plan.top;
  j["input"] = {{"tensor", plan.input.tensor},
                {"shape", {plan.input.shape.h, plan.input.shape.w, plan.input.shape.c}},
                {"dtype", to_string(plan.input.dtype)},
                {"elements_per_beat", plan.input.elems},
                {"beats_per_frame", plan.input.beats_per_frame()},
                {"scale", net.input.quant.scale},
                {"zero_point", net.input.quant.zero_point}};
  const TensorQuant oq = net.quant_of(plan.output.tensor);
  j["output"] = {{"tensor", plan.output.tensor},
                 {"shape", {plan.output.shape.h, plan.output.shape.w, plan.output.shape.c}},
                 {"dtype", to_string(plan.output.dtype)},
                 {"elements_per_beat", plan.output.elems},
                 {"beats_per_frame", plan.output.beats_per_frame()},
                 {"scale", oq.scale},
                 {"zero_point", oq.zero_point}};
  j["software_layers"] = plan.software;
  const ResourceEstimate est = estimate_resources(plan);
  const auto est_json = [](const ResourceCounts& c) {
    return nlohmann::ordered_json{{"lut", c.lut},       {"ff", c.ff},         {"dsp", c.dsp},
                                  {"lutram", c.lutram}, {"ramb36", c.ramb36}, {"ramb18", c.ramb18},
                                  {"bram36", c.bram36()}};
  };
  auto layers = nlohmann::ordered_json::array();
  for (size_t li = 0; li < plan.layers.size(); ++li) {
    const auto& hw = plan.layers[li];
    layers.push_back({{"name", hw.layer},
                      {"op", to_string(hw.op)},
                      {"in_shape", hw.in.shape.str()},
                      {"out_shape", hw.out.shape.str()},
                      {"pe", hw.pe},
                      {"simd", hw.simd},
                      {"sf", hw.sf},
                      {"nf", hw.nf},
                      {"multipliers", hw.multipliers},
                      {"macs", hw.macs},
                      {"est_cycles_per_frame", hw.est_cycles},
                      {"ideal_cycles_per_frame", hw.ideal_cycles},
                      {"rom_bits", hw.rom_bits}});
    if (!hw.shared_unit.empty()) layers.back()["shared_unit"] = hw.shared_unit;
    nlohmann::ordered_json le = est_json(est.layers[li].res);
    le["first_output_cycle"] = est.layers[li].first_out_cycle;
    le["last_output_cycle"] = est.layers[li].last_out_cycle;
    layers.back()["estimate"] = le;
  }
  j["layers"] = layers;
  j["totals"] = {{"multipliers", plan.multipliers},
                 {"macs_per_frame", plan.macs},
                 {"est_cycles_per_frame", plan.est_cycles_per_frame},
                 {"ideal_cycles_per_frame", plan.ideal_cycles_per_frame},
                 {"bottleneck", plan.bottleneck},
                 {"rom_bits", plan.rom_bits}};
  nlohmann::ordered_json te = est_json(est.total);
  te["latency_cycles"] = est.latency_cycles;
  te["glue"] = est_json(est.glue);
  te["model"] = "analytic resource model (gen/src/resource_model.cpp), calibrated against Yosys "
                "synth_xilinx -family xc7; LUT excludes LUT RAM; latency = first input beat to "
                "last output beat of frame 0";
  j["totals"]["estimate"] = te;
  if (!net.device.empty()) {
    const DeviceFit fit = fit_to_device(est, plan, find_device(net.device));
    nlohmann::ordered_json d{{"name", fit.device.name},
                             {"given_as", net.device},
                             {"part", fit.device.part},
                             {"family", fit.device.family_name}};
    auto rows = nlohmann::ordered_json::array();
    for (const auto& r : fit.rows)
      rows.push_back({{"resource", r.resource}, {"used", r.used}, {"available", r.available}});
    d["use"] = rows;
    if (fit.converted) d["conversion"] = fit.note;
    j["device"] = d;
  }
  // The clock is assumed until `rtlgen pnr OUT` measures it (it then rewrites this entry).
  j["clock"] = {{"mhz", net.target_clock_mhz},
                {"target_mhz", net.target_clock_mhz},
                {"measured", false},
                {"source", "assumed: the YAML's target_clock_mhz, not measured (rtlgen pnr OUT "
                           "measures it post-route)"},
                {"frames_per_second",
                 plan.est_cycles_per_frame
                     ? net.target_clock_mhz * 1e6 / double(plan.est_cycles_per_frame)
                     : 0.0}};
  return j.dump(2) + "\n";
}

std::string emit_report_text(const Network& net, const HwPlan& plan) {
  std::string s = fmt::format("rtlgen hardware report: {} (top {})\n\n", net.name, plan.top);
  const ResourceEstimate est = estimate_resources(plan);
  size_t name_w = 5;  // the name column is as wide as the longest layer name
  for (const auto& hw : plan.layers) name_w = std::max(name_w, hw.layer.size());
  s += fmt::format("{:<{}} {:<16} {:>10} {:>10} {:>4} {:>5} {:>5} {:>5} {:>6} {:>10} {:>10} {:>9} "
                   "{:>7} {:>7} {:>5} {:>7}\n",
                   "layer", name_w, "op", "in", "out", "PE", "SIMD", "SF", "NF", "mults", "est cyc",
                   "ideal cyc", "ROM bits", "LUT", "FF", "DSP", "BRAM36");
  for (size_t li = 0; li < plan.layers.size(); ++li) {
    const auto& hw = plan.layers[li];
    const ResourceCounts& rc = est.layers[li].res;
    s += fmt::format(
        "{:<{}} {:<16} {:>10} {:>10} {:>4} {:>5} {:>5} {:>5} {:>6} {:>10} {:>10} {:>9} {:>7} {:>7} "
        "{:>5} {:>7.1f}{}{}\n",
        hw.layer, name_w, to_string(hw.op),
        hw.in.shape.str(), hw.out.shape.str(), hw.pe, hw.simd, hw.sf, hw.nf, hw.multipliers,
        hw.est_cycles, hw.ideal_cycles, hw.rom_bits, rc.lut, rc.ff, rc.dsp, rc.bram36(),
        hw.layer == plan.bottleneck ? "  <- bottleneck" : "",
        hw.shared_unit.empty() ? "" : "  (" + hw.shared_unit + ")");
  }
  s += fmt::format(
      "\nmultipliers {}, MACs/frame {}, estimated cycles/frame {} (bottleneck {}), ideal "
      "cycles/frame {} (max over layers of MACs / multipliers), ROM {} bits\n",
      plan.multipliers, plan.macs, plan.est_cycles_per_frame, plan.bottleneck,
      plan.ideal_cycles_per_frame, plan.rom_bits);
  int64_t memories = 0;
  for (const auto& hw : plan.layers) memories += int64_t(hw.mems.size());
  const double pooled = plan.multipliers ? double(plan.macs) / double(plan.multipliers) : 0.0;
  s += fmt::format(
      "ideal cycles/frame if every multiplier were busy every cycle (total MACs / multipliers): "
      "{:.0f}; utilisation estimate {:.3f}\n"
      "ROM: {} bits ({:.1f} KiB) in {} memories\n"
      "throughput estimate at {:.0f} MHz (assumed clock, not measured: rtlgen pnr OUT "
      "measures it): {:.1f} frames/s\n",
      pooled, plan.est_cycles_per_frame ? pooled / double(plan.est_cycles_per_frame) : 0.0,
      plan.rom_bits, double(plan.rom_bits) / 8192.0, memories, net.target_clock_mhz,
      plan.est_cycles_per_frame ? net.target_clock_mhz * 1e6 / double(plan.est_cycles_per_frame)
                                : 0.0);
  s += resource_summary(est);
  if (!net.device.empty())
    s += "device " + fit_to_device(est, plan, find_device(net.device)).summary() + "\n";
  for (const auto& sw : plan.software)
    s += fmt::format("layer '{}' stays in software (the hardware outputs its input)\n", sw);
  return s;
}

std::map<std::string, std::string> generate_files(const Network& net, const HwPlan& plan,
                                                  const std::string& command) {
  require_device_fit(net, plan);
  std::map<std::string, std::string> files;
  const std::string top_file = "rtl/" + plan.top + ".v";
  files[top_file] = emit_top(plan, command);
  files["sim/" + plan.top + "_sim.v"] = emit_sim_wrapper(plan, command);
  files["sim/rtlgen_taps.hpp"] = emit_sim_taps_header(plan, command);
  std::string filelist = fmt::format("// DO NOT EDIT. Generated by rtlgen: {}\n", command);
  for (const auto& t : plan.templates) {
    files["rtl/" + t] = read_file(fs::path(template_dir()) / t);
    filelist += "rtl/" + t + "\n";
  }
  filelist += top_file + "\n";
  files["filelist.f"] = filelist;
  for (const auto& hw : plan.layers)
    for (const auto& m : hw.mems) {
      std::string text;
      for (const auto& line : m.lines) text += line + "\n";
      files["mem/" + m.name] = text;
    }
  files["report.json"] = emit_report_json(net, plan, command);
  files["report.txt"] = emit_report_text(net, plan);
  files["diagram.dot"] = emit_diagram_dot(net, plan, command);
  const std::string svg = render_svg(files["diagram.dot"]);
  if (!svg.empty()) files["diagram.svg"] = svg;
  add_vendor_files(net, plan, command, files);  // vivado/, quartus/, tb/, README.md
  return files;
}

namespace {

// Temporary siblings of OUT are ".OUT.tmp-<pid>" (being written) and ".OUT.old-<pid>" (the
// previous OUT while it is swapped out). A process killed mid-write (SIGKILL, power loss)
// leaves its sibling behind: the next run removes those whose process is gone. They are hidden
// (leading dot); a partial one never holds the `.rtlgen` marker (written last).
bool is_stale_sibling(const std::string& name, const std::string& stem) {
  for (const char* kind : {".tmp-", ".old-"}) {
    const std::string prefix = "." + stem + kind;
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9)
      continue;
    const pid_t pid = pid_t(std::stol(pid_text));
    return pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH;
  }
  return false;
}

void remove_stale_siblings(const fs::path& parent, const std::string& stem) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(parent, ec))
    if (is_stale_sibling(e.path().filename().string(), stem)) fs::remove_all(e.path(), ec);
}

// Test hook: RTLGEN_DEBUG_SLOW_WRITE_MS=N sleeps N ms after each file written, so a test can
// kill the process while the output is being written (tests/e2e/atomic_output_kill.sh).
void debug_slow_write() {
  static const long ms = [] {
    const char* env = std::getenv("RTLGEN_DEBUG_SLOW_WRITE_MS");
    return env ? std::strtol(env, nullptr, 10) : 0L;
  }();
  if (ms > 0) ::usleep(useconds_t(std::min(ms, 10000L) * 1000));
}

}  // namespace

void write_output_dir(const std::string& out, const std::map<std::string, std::string>& files,
                      const std::string& command) {
  fs::path target = fs::absolute(out).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();  // "OUT/" names OUT
  const bool exists = fs::exists(target);
  if (exists && !fs::is_directory(target))
    throw Error(fmt::format("{}: exists and is not a directory", out));
  if (exists && !fs::is_empty(target) && !fs::exists(target / kMarker))
    throw Error(fmt::format("{}: exists, is not empty and was not written by rtlgen (no {} "
                            "marker); refusing to overwrite it. Choose another directory.",
                            out, kMarker));
  const std::string stem = target.filename().string();
  const fs::path parent = target.parent_path();
  fs::create_directories(parent);
  remove_stale_siblings(parent, stem);
  const fs::path tmp = parent / fmt::format(".{}.tmp-{}", stem, ::getpid());
  const fs::path old = parent / fmt::format(".{}.old-{}", stem, ::getpid());
  fs::remove_all(tmp);
  try {
    for (const auto& [rel, text] : files) {
      const fs::path p = tmp / rel;
      fs::create_directories(p.parent_path());
      {
        std::ofstream f(p, std::ios::binary);
        f << text;
        if (!f) throw Error(fmt::format("{}: write failed", p.string()));
      }
      if (p.extension() == ".sh")  // generated scripts are meant to be run directly
        fs::permissions(p, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                        fs::perm_options::add);
      debug_slow_write();
    }
    {
      std::ofstream marker(tmp / kMarker);
      marker << command << "\n";
      if (!marker) throw Error(fmt::format("{}: write failed", (tmp / kMarker).string()));
    }
    if (!exists) {
      fs::rename(tmp, target);  // atomic: OUT appears complete or not at all
    } else if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
      // Atomic swap: at every instant OUT is the complete old or the complete new directory.
      std::error_code ec;
      fs::remove_all(tmp, ec);  // now holds the old contents
    } else {
      // File systems without RENAME_EXCHANGE: OUT is briefly absent (the old one is in `old`).
      fs::rename(target, old);
      fs::rename(tmp, target);
      std::error_code ec;
      fs::remove_all(old, ec);
    }
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
}

}  // namespace rtlgen
