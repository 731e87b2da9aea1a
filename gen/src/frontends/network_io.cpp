#include "rtlgen/network_io.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "rtlgen/compile.hpp"
#include "rtlgen/emit.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/folding.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/npy.hpp"
#include "rtlgen/onnx_import.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/tflite_import.hpp"
#include "rtlgen/yaml_loader.hpp"

namespace rtlgen {

namespace fs = std::filesystem;

Network load_network(const std::string& path) {
  return compile(path, CompileOptions(CompileStage::Folding)).net;
}

const char* npy_descr(DType t) {
  return t == DType::UInt8 ? "|u1" : t == DType::Int8 ? "|i1" : "<i4";
}

void dump_tensors(const Network& net, const Tensor& input, const std::vector<Tensor>& outputs,
                  const std::string& dir) {
  // Written like an output directory of `rtlgen generate`: atomically, never over a directory
  // that rtlgen did not write.
  std::map<std::string, std::string> files;
  nlohmann::json manifest;
  manifest["network"] = net.name;
  // The exact input tensor (after image decoding and resizing), so other runtimes get the same.
  files["input.npy"] = encode_npy(npy_descr(input.dtype), {input.shape.h, input.shape.w, input.shape.c},
                                  std::vector<int64_t>(input.data.begin(), input.data.end()));
  manifest["input"] = {{"name", net.input.name}, {"file", "input.npy"}};
  manifest["layers"] = nlohmann::json::array();
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const Tensor& t = outputs[i];
    const std::string file = l.name + ".npy";
    files[file] = encode_npy(npy_descr(t.dtype), {t.shape.h, t.shape.w, t.shape.c},
                             std::vector<int64_t>(t.data.begin(), t.data.end()));
    manifest["layers"].push_back({{"name", l.name},
                                  {"op", to_string(l.op)},
                                  {"source", l.source},
                                  {"file", file},
                                  {"shape", {t.shape.h, t.shape.w, t.shape.c}},
                                  {"dtype", to_string(t.dtype)},
                                  {"scale", l.out_quant.scale},
                                  {"zero_point", l.out_quant.zero_point}});
  }
  files["manifest.json"] =  // non-UTF-8 bytes of names and paths become U+FFFD
      manifest.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  write_output_dir(dir, files, "rtlgen run --dump " + dir);
}

std::string info_table(const Network& net) {
  std::string s = fmt::format("network {} ({})\ninput {}: {} {} scale {:.6g} zero_point {}\n\n",
                              net.name, net.source, net.input.name, net.input.shape.str(),
                              to_string(net.input.quant.dtype), net.input.quant.scale,
                              net.input.quant.zero_point);
  // The name column is as wide as the longest name; a layer imported from a model also shows
  // the tensor it came from (`source`) last: its first ';'-separated part, which TF2 converters
  // give the op's result (the rest names the ops fused into it).
  size_t name_w = 5;
  bool any_source = false;
  for (const Layer& l : net.layers) {
    name_w = std::max(name_w, l.name.size());
    any_source = any_source || (!l.source.empty() && l.source != l.name);
  }
  s += fmt::format("{:<3} {:<{}} {:<17} {:<12} {:<12} {:>11} {:>9} {:>5} {:>8}{}\n", "#", "layer",
                   name_w, "op", "in", "out", "MACs", "params B", "acc", "act",
                   any_source ? "  source" : "");
  int64_t total_macs = 0, total_bytes = 0;
  int max_acc = 0;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const int64_t bytes = int64_t(l.weights.size()) + 4 * int64_t(l.bias.size());
    total_macs += l.macs;
    total_bytes += bytes;
    max_acc = std::max(max_acc, l.acc_bits);
    s += fmt::format("{:<3} {:<{}} {:<17} {:<12} {:<12} {:>11} {:>9} {:>5} {:>8}{}\n", i, l.name,
                     name_w, to_string(l.op), net.shape_of(l.inputs[0]).str(), l.out_shape.str(),
                     l.macs, bytes, l.acc_bits ? fmt::format("{}b", l.acc_bits) : "-",
                     to_string(l.activation), any_source ? "  " + l.source.substr(0, l.source.find(';')) : "");
  }
  s += fmt::format("\ntotal: {} layers, {} MACs per frame, {} parameter bytes, widest "
                   "accumulator {} bits\n",
                   net.layers.size(), total_macs, total_bytes, max_acc);
  // The integer scale-shift scheme: widths chosen by the interval analysis (analyze_scale_shift).
  bool header = false;
  for (const Layer& l : net.layers) {
    if (l.requant_mode != RequantMode::ScaleShift && !l.out_quant.wide()) continue;
    if (!header) {
      header = true;
      s += fmt::format("\nscale-shift widths (worst case over every input):\n{:<{}} {:>8} {:>6} "
                       "{:>6} {:>9} {:>25}\n",
                       "layer", name_w, "S>>k", "acc", "acc*S", "out", "out range");
    }
    const bool ss = l.requant_mode == RequantMode::ScaleShift;
    s += fmt::format("{:<{}} {:>8} {:>6} {:>6} {:>9} {:>25}\n", l.name, name_w,
                     ss ? fmt::format("{}>>{}", l.scale_shift.multiplier, l.scale_shift.shift) : "-",
                     ss ? fmt::format("{}b", l.acc_bits) : "-",
                     ss ? fmt::format("{}b", l.product_bits) : "-", type_name(l.out_quant),
                     ss ? fmt::format("[{}, {}]", l.out_min, l.out_max) : "(input's)");
  }
  return s;
}

}  // namespace rtlgen
