// Reports, file lists, memory files and the atomic output directory of `rtlgen generate`.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rtlgen/emit.hpp"
#include "rtlgen/emit_vendor.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"
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
                                  {"lutram", c.lutram}, {"srl", c.srl},       {"ramb36", c.ramb36},
                                  {"ramb18", c.ramb18}, {"bram36", c.bram36()}};
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
  te["model"] =
      "analytic resource model (gen/src/resources/resource_model.cpp), calibrated against Yosys "
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
  // The command line and paths may hold bytes that are not UTF-8 (a Latin-1 file name): they
  // become U+FFFD instead of an exception.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
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
      for (const auto& word : m.words) text += word.hex() + "\n";
      files["mem/" + m.name] = text;
    }
  // mem/ always exists: the testbench and `rtlgen sim` run in it ($readmemh by file name).
  if (std::none_of(plan.layers.begin(), plan.layers.end(),
                   [](const HwLayer& hw) { return !hw.mems.empty(); }))
    files["mem/README.txt"] =
        "This network has no weights or requantizer constants: no .mem files. The directory\n"
        "exists because the testbench (tb/run_icarus.sh) and rtlgen sim run in it.\n";
  files["report.json"] = emit_report_json(net, plan, command);
  files["report.txt"] = emit_report_text(net, plan);
  files["diagram.dot"] = emit_diagram_dot(net, plan, command);
  const std::string svg = render_svg(files["diagram.dot"]);
  if (!svg.empty()) files["diagram.svg"] = svg;
  add_vendor_files(net, plan, command, files);  // vivado/, quartus/, tb/, README.md
  return files;
}

namespace {

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

namespace {

// What the user can do about a file-system error while writing OUT (errno-based, so the message
// names the real cause instead of "filesystem error").
std::string write_hint(int err) {
  switch (err) {
    case ENAMETOOLONG:
      return " (a file name is limited to 255 bytes: shorten the output directory or the "
             "network/layer names)";
    case ENOSPC:
      return " (the disk is full)";
    case EACCES:
    case EPERM:
    case EROFS:
      return " (choose a directory you can write to)";
    case ENOTDIR:
      return " (a component of the path is a file, not a directory)";
    default:
      return "";
  }
}

[[noreturn]] void fail_write(const std::string& out, const fs::path& what, int err) {
  throw Error(fmt::format("{}: cannot write {}: {}{}", out, what.string(), std::strerror(err),
                          write_hint(err)));
}

// Checks OUT before anything is written: a clear error for every path that cannot become an
// rtlgen output directory.
fs::path checked_output_path(const std::string& out) {
  if (out.empty())
    throw Error("output directory: the name is empty (-o \"\"); give a directory path");
  std::error_code ec;
  fs::path target = fs::absolute(out, ec).lexically_normal();
  if (ec) throw Error(fmt::format("{}: bad output path: {}", out, ec.message()));
  if (target.filename().empty()) target = target.parent_path();  // "OUT/" names OUT
  if (target == target.root_path())
    throw Error(fmt::format("{}: cannot use the root directory as an output directory", out));
  // Every file of OUT is named OUT/...; the temporary siblings add ".tmp-<pid>" to OUT's name.
  if (target.filename().string().size() > 200)
    throw Error(
        fmt::format("{}: the output directory name is {} bytes long; at most 200 (a file "
                    "name is limited to 255 bytes and rtlgen adds a suffix to it)",
                    out, target.filename().string().size()));
  const fs::file_status st = fs::symlink_status(target, ec);
  if (fs::is_symlink(st) && !fs::exists(target, ec))
    throw Error(
        fmt::format("{}: is a dangling symbolic link (to '{}'); remove it or choose "
                    "another directory",
                    out, fs::read_symlink(target, ec).string()));
  // The nearest existing ancestor must be a directory (-o afile/sub).
  for (fs::path p = target.parent_path(); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p, ec)) {
      if (!fs::is_directory(p, ec))
        throw Error(fmt::format("{}: '{}' is not a directory, so nothing can be written under it",
                                out, p.string()));
      break;
    }
    if (p == p.root_path()) break;
  }
  return target;
}

}  // namespace

void write_output_dir(const std::string& out, const std::map<std::string, std::string>& files,
                      const std::string& command) {
  const fs::path target = checked_output_path(out);
  std::error_code ec;
  const bool exists = fs::exists(target, ec);
  if (ec) fail_write(out, target, ec.value());
  if (exists && !fs::is_directory(target, ec))
    throw Error(fmt::format("{}: exists and is not a directory", out));
  const bool empty = exists && fs::is_empty(target, ec);
  if (ec) fail_write(out, target, ec.value());
  if (exists && !empty && !fs::exists(target / kMarker, ec))
    throw Error(fmt::format("{}: exists, is not empty and was not written by rtlgen (no {} "
                            "marker); refusing to overwrite it. Choose another directory.",
                            out, kMarker));
  const std::string stem = target.filename().string();
  const fs::path parent = target.parent_path();
  fs::create_directories(parent, ec);
  if (ec) fail_write(out, parent, ec.value());
  remove_stale_siblings(parent, stem);
  const fs::path tmp = parent / fmt::format(".{}.tmp-{}", stem, ::getpid());
  const fs::path old = parent / fmt::format(".{}.old-{}", stem, ::getpid());
  fs::remove_all(tmp, ec);
  try {
    fs::create_directory(tmp, ec);
    if (ec) fail_write(out, tmp, ec.value());
    for (const auto& [rel, text] : files) {
      const fs::path p = tmp / rel;
      fs::create_directories(p.parent_path(), ec);
      if (ec) fail_write(out, target / fs::path(rel).parent_path(), ec.value());
      {
        errno = 0;
        std::ofstream f(p, std::ios::binary);
        if (!f) fail_write(out, target / rel, errno ? errno : EIO);
        f << text;
        f.close();
        if (!f) fail_write(out, target / rel, errno ? errno : EIO);
      }
      if (p.extension() == ".sh")  // generated scripts are meant to be run directly
        fs::permissions(p, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                        fs::perm_options::add);
      debug_slow_write();
    }
    {
      errno = 0;
      std::ofstream marker(tmp / kMarker);
      marker << command << "\n";
      marker.close();
      if (!marker) fail_write(out, target / kMarker, errno ? errno : EIO);
    }
    // OUT appears complete or not at all. RENAME_NOREPLACE: another rtlgen may have created OUT
    // since we looked (two runs into the same new directory); then swap with its result.
    bool placed = !exists && ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(),
                                         RENAME_NOREPLACE) == 0;
    if (!placed && !exists && errno != EEXIST && errno != ENOTEMPTY && errno != EINVAL &&
        errno != ENOSYS)
      fail_write(out, target, errno);
    if (!placed && !exists && (errno == EINVAL || errno == ENOSYS)) {
      // File systems without renameat2 flags: plain rename (fails if OUT appeared meanwhile).
      placed = ::rename(tmp.c_str(), target.c_str()) == 0;
      if (!placed && errno != EEXIST && errno != ENOTEMPTY) fail_write(out, target, errno);
    }
    if (!placed) {
      // OUT exists (from before, or written meanwhile by a concurrent rtlgen): it must still be
      // an rtlgen output before it is replaced.
      if (!exists && !fs::exists(target / kMarker, ec))
        throw Error(
            fmt::format("{}: appeared while rtlgen was writing and was not written by "
                        "rtlgen (no {} marker); refusing to overwrite it",
                        out, kMarker));
      if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
        // Atomic swap: at every instant OUT is the complete old or the complete new directory.
        fs::remove_all(tmp, ec);  // now holds the old contents
      } else {
        // File systems without RENAME_EXCHANGE: OUT is briefly absent (the old one is in `old`).
        fs::rename(target, old, ec);
        if (ec) fail_write(out, target, ec.value());
        fs::rename(tmp, target, ec);
        if (ec) fail_write(out, target, ec.value());
        fs::remove_all(old, ec);
      }
    }
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
}

}  // namespace rtlgen
