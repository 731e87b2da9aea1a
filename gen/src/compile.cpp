// The whole pipeline in one place: see rtlgen/compile.hpp.
#include "rtlgen/compile.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "rtlgen/error.hpp"
#include "rtlgen/onnx_import.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/yaml_loader.hpp"

namespace rtlgen {

Network read_network(const std::string& path, ImportNotes* notes) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".tflite" || ext == ".onnx") {
    Network net = ext == ".onnx" ? import_onnx(path, notes) : import_tflite(path, notes);
    // A model carries no folding: use the same default as `rtlgen import`.
    net.fold.max_multipliers = kDefaultMaxMultipliers;
    return net;
  }
  if (ext == ".yaml" || ext == ".yml") return parse_network_yaml(path);
  throw Error(fmt::format("{}: unknown network file type '{}' (expected .yaml, .tflite or .onnx)",
                          path, ext));
}

Compiled compile(Network net, const CompileOptions& opt) {
  Compiled c;
  prepare_network(net);
  check_names_at_load(net);
  if (opt.until != CompileStage::Passes) {
    if (opt.fold) {
      c.folding = choose_folding(net, *opt.fold);
    } else if (net.fold.active()) {
      FoldTarget t;
      t.max_multipliers = net.fold.max_multipliers;
      t.target_fps = net.fold.target_fps;
      t.min_utilisation = net.fold.min_utilisation;
      t.share_depthwise = net.fold.share_depthwise;
      t.clock_mhz = net.target_clock_mhz;
      t.device = net.fold.device;
      t.fill = net.fold.fill;
      try {
        c.folding = choose_folding(net, t);
      } catch (const Error& e) {
        // Say where the folding was asked for (the YAML's fold: key, or the model file).
        if (net.fold.loc.file.empty()) throw Error(fmt::format("{}: {}", net.source, e.what()));
        throw Error(net.fold.loc, e.what());
      }
    }
  }
  if (opt.until == CompileStage::Plan) c.plan = plan_hardware(net, opt.plan);
  c.net = std::move(net);
  return c;
}

Compiled compile(const std::string& path, const CompileOptions& opt) {
  ImportNotes notes;
  Network net = read_network(path, &notes);
  Compiled c = compile(std::move(net), opt);
  c.notes = std::move(notes);
  return c;
}

}  // namespace rtlgen
