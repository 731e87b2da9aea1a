#include "rtlgen/yaml_loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "rtlgen/compile.hpp"
#include "rtlgen/device.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/names.hpp"
#include "rtlgen/npy.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/quant_checks.hpp"
#include "rtlgen/scale_shift.hpp"
#include "rtlgen/yaml_writer.hpp"

namespace rtlgen {
namespace {

namespace fs = std::filesystem;

// Reads typed values out of YAML nodes and turns every problem into an Error at the node.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  SourceLoc at(const YAML::Node& n) const {
    const auto m = n.Mark();
    if (m.line < 0) return SourceLoc{file_, 0, 0};
    return SourceLoc{file_, m.line + 1, m.column + 1};
  }

  [[noreturn]] void fail(const YAML::Node& n, const std::string& msg) const {
    throw Error(at(n), msg);
  }

  YAML::Node require(const YAML::Node& map, const std::string& key, const std::string& what,
                     const std::string& context) const {
    const YAML::Node v = map[key];
    if (!v) fail(map, fmt::format("{}missing key '{}' ({})", context, key, what));
    return v;
  }

  template <typename T>
  T as(const YAML::Node& n, const std::string& what, const std::string& context) const {
    if (!n.IsScalar()) fail(n, fmt::format("{}expected {} here", context, what));
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      fail(n, fmt::format("{}expected {}, got '{}'", context, what, n.Scalar()));
    }
  }

  int as_positive_int(const YAML::Node& n, const std::string& what, const std::string& ctx) const {
    const int v = as<int>(n, what, ctx);
    if (v <= 0 || v > 65536) fail(n, fmt::format("{}{} must be in 1..65536, got {}", ctx, what, v));
    return v;
  }

  // [a, b] pair of positive ints (kernel, stride); a single number means [n, n].
  std::pair<int, int> pair(const YAML::Node& n, const std::string& what,
                           const std::string& ctx) const {
    if (n.IsScalar()) {
      const int v = as_positive_int(n, what, ctx);
      return {v, v};
    }
    if (!n.IsSequence() || n.size() != 2)
      fail(n, fmt::format("{}{} must be [height, width]", ctx, what));
    return {as_positive_int(n[0], what, ctx), as_positive_int(n[1], what, ctx)};
  }

  void check_keys(const YAML::Node& map, const std::set<std::string>& allowed,
                  const std::string& ctx) const {
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(kv.first, fmt::format("{}unknown key '{}' (allowed here: {})", ctx, key, list));
      }
    }
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

DType parse_dtype(const Reader& r, const YAML::Node& n, const std::string& ctx) {
  const auto s = r.as<std::string>(n, "a dtype", ctx);
  if (s == "uint8") return DType::UInt8;
  if (s == "int8") return DType::Int8;
  r.fail(n, fmt::format("{}dtype must be uint8 or int8, got '{}'", ctx, s));
}

// A scale is stored as float32: it must be positive and finite as a float32 too (no overflow
// to infinity, no underflow to zero).
bool valid_float_scale(double v) {
  return v > 0 && v <= double(std::numeric_limits<float>::max()) && static_cast<float>(v) > 0.0f;
}

float parse_scale(const Reader& r, const YAML::Node& n, const std::string& ctx) {
  const double v = r.as<double>(n, "a scale (positive number)", ctx);
  if (!(v > 0) || !std::isfinite(v))
    r.fail(n, fmt::format("{}scale must be a positive finite number, got {}", ctx, n.Scalar()));
  if (!valid_float_scale(v))
    r.fail(n, fmt::format("{}scale {} is outside the float32 range (about 1.4e-45 to 3.4e38)", ctx,
                          n.Scalar()));
  return static_cast<float>(v);
}

TensorQuant parse_quant(const Reader& r, const YAML::Node& n, DType default_dtype,
                        const std::string& ctx) {
  if (!n.IsMap()) r.fail(n, ctx + "expected {dtype, scale, zero_point}");
  r.check_keys(n, {"dtype", "scale", "zero_point"}, ctx);
  TensorQuant q;
  q.dtype = n["dtype"] ? parse_dtype(r, n["dtype"], ctx) : default_dtype;
  q.scale =
      parse_scale(r, r.require(n, "scale", "the real value of one quantization step", ctx), ctx);
  q.zero_point = n["zero_point"] ? r.as<int32_t>(n["zero_point"], "an integer zero point", ctx) : 0;
  if (q.zero_point < qmin(q.dtype) || q.zero_point > qmax(q.dtype))
    r.fail(n["zero_point"], fmt::format("{}zero_point {} is outside the {} range", ctx,
                                        q.zero_point, to_string(q.dtype)));
  return q;
}

struct OpInfo {
  OpKind op;
  std::set<std::string> keys;
};

const std::map<std::string, OpInfo>& op_table() {
  static const std::set<std::string> common = {"name",   "op",     "inputs",        "output",
                                                "hw",     "source", "requantization"};
  auto with = [&](std::initializer_list<const char*> extra) {
    std::set<std::string> s = common;
    for (auto e : extra) s.insert(e);
    return s;
  };
  static const std::map<std::string, OpInfo> table = {
      {"conv2d",
       {OpKind::Conv2D, with({"kernel", "stride", "padding", "activation", "weights", "bias",
                              "weight_scales", "weight_zero_point", "requant", "bias_float",
                              "bias_gain"})}},
      {"depthwise_conv2d",
       {OpKind::DepthwiseConv2D,
        with({"kernel", "stride", "padding", "activation", "weights", "bias", "weight_scales",
              "weight_zero_point", "depth_multiplier"})}},
      {"fully_connected",
       {OpKind::FullyConnected,
        with({"activation", "weights", "bias", "weight_scales", "weight_zero_point", "requant",
              "bias_float", "bias_gain"})}},
      {"average_pool2d",
       {OpKind::AveragePool2D, with({"pool", "stride", "padding", "activation", "rounding"})}},
      {"max_pool2d", {OpKind::MaxPool2D, with({"pool", "stride", "padding", "activation"})}},
      {"mean", {OpKind::Mean, with({})}},
      {"add", {OpKind::Add, with({"activation"})}},
      {"concat", {OpKind::Concat, with({})}},
      {"pad", {OpKind::Pad, with({"pads"})}},
      {"reshape", {OpKind::Reshape, with({"shape"})}},
      {"softmax", {OpKind::Softmax, with({"beta"})}},
  };
  return table;
}

class NetworkParser {
 public:
  NetworkParser(const std::string& path) : r_(path), dir_(fs::path(path).parent_path()) {}

  // A part or board name of the device table (rtlgen devices lists them).
  std::string parse_device(const YAML::Node& node, const std::string& ctx) {
    const std::string name = r_.as<std::string>(node, "a device: part or board name", ctx);
    try {
      find_device(name);
    } catch (const Error& e) {
      r_.fail(node, ctx + e.what());
    }
    return name;
  }

  Network parse(const YAML::Node& root) {
    if (!root.IsMap()) r_.fail(root, "expected a mapping with keys network, params, input, layers");
    r_.check_keys(root,
                  {"network", "params", "input", "layers", "target_clock_mhz", "device", "fold",
                   "argmax"},
                  "");
    Network net;
    net.source = r_.file();
    const auto name_node = r_.require(root, "network", "the network name", "");
    net.name = r_.as<std::string>(name_node, "a name", "");
    check_identifier(name_node, net.name, "network name");
    params_dir_ = dir_;
    if (root["params"])
      params_dir_ = dir_ / r_.as<std::string>(root["params"], "a directory path", "");
    const std::string pairing = params_pairing_problem(r_.file(), params_dir_.string());
    if (!pairing.empty()) r_.fail(root["params"] ? root["params"] : root, pairing);
    parse_input(r_.require(root, "input", "the input tensor: shape, dtype, scale, zero_point", ""),
                net.input);
    if (root["target_clock_mhz"]) {
      net.target_clock_mhz =
          r_.as<double>(root["target_clock_mhz"], "a clock frequency in MHz", "");
      if (!(net.target_clock_mhz > 0.0) || net.target_clock_mhz > 2000.0)
        r_.fail(
            root["target_clock_mhz"],
            fmt::format("target_clock_mhz must be in (0, 2000] MHz, got {}", net.target_clock_mhz));
    }
    if (root["device"]) net.device = parse_device(root["device"], "");
    if (const YAML::Node a = root["argmax"]) {
      const std::string v = a.IsScalar() ? a.Scalar() : "";
      if (v == "auto")
        net.argmax = Network::Argmax::Auto;
      else if (v == "true")
        net.argmax = Network::Argmax::On;
      else if (v == "false")
        net.argmax = Network::Argmax::Off;
      else
        r_.fail(a, "argmax: expected true (class index on m_axis_tuser), false (none) or auto "
                   "(classifiers only, the default)");
      net.argmax_loc = r_.at(a);
    }
    if (root["fold"]) {
      const YAML::Node f = root["fold"];
      const std::string ctx = "fold: ";
      net.fold.loc = r_.at(f);
      if (!f.IsMap()) r_.fail(f, "fold: expected a mapping with max_multipliers and/or target_fps");
      r_.check_keys(
          f,
          {"max_multipliers", "target_fps", "min_utilisation", "share_depthwise", "device", "fill"},
          ctx);
      if (f["device"]) net.fold.device = parse_device(f["device"], ctx);
      if (f["fill"]) {
        net.fold.fill = r_.as<double>(f["fill"], "a fraction", ctx);
        if (!(net.fold.fill > 0.0 && net.fold.fill <= 1.0))
          r_.fail(f["fill"],
                  "fold: fill must lie in (0, 1] (the fraction of each device resource "
                  "the design may use; default 0.8)");
      }
      if (f["max_multipliers"])
        net.fold.max_multipliers = r_.as_positive_int(f["max_multipliers"], "max_multipliers", ctx);
      if (f["target_fps"]) {
        net.fold.target_fps = r_.as<double>(f["target_fps"], "frames per second", ctx);
        if (!(net.fold.target_fps > 0.0) || !std::isfinite(net.fold.target_fps))
          r_.fail(f["target_fps"],
                  "fold: target_fps must be a positive number of frames per second");
      }
      if (f["min_utilisation"]) {
        net.fold.min_utilisation = r_.as<double>(f["min_utilisation"], "a fraction", ctx);
        if (!(net.fold.min_utilisation >= 0.0 && net.fold.min_utilisation <= 1.0))
          r_.fail(f["min_utilisation"],
                  "fold: min_utilisation must lie in [0, 1] (0 = always "
                  "the fastest folding)");
      }
      if (f["share_depthwise"])
        net.fold.share_depthwise = r_.as<bool>(f["share_depthwise"], "true or false", ctx);
      if (!net.fold.active())
        r_.fail(f,
                "fold: give max_multipliers (a multiplier budget), target_fps (a frame rate) "
                "or device (a part or board)");
      if (!net.fold.device.empty() && (net.fold.max_multipliers > 0 || net.fold.target_fps > 0))
        r_.fail(f, "fold: device chooses the folding by itself; drop max_multipliers / target_fps");
      if (!net.fold.device.empty() && !net.device.empty() &&
          find_device(net.fold.device).part != find_device(net.device).part)
        r_.fail(f["device"], fmt::format("fold: device '{}' differs from the network's device '{}'",
                                         net.fold.device, net.device));
    }
    const auto layers = r_.require(root, "layers", "the ordered list of layers", "");
    if (!layers.IsSequence() || layers.size() == 0)
      r_.fail(layers, "'layers' must be a non-empty list");
    std::set<std::string> names = {net.input.name};
    std::string previous = net.input.name;
    for (const auto& ln : layers) {
      Layer l = parse_layer(ln, net, previous);
      if (!names.insert(l.name).second)
        r_.fail(ln["name"], fmt::format("duplicate layer name '{}'", l.name));
      previous = l.name;
      net.layers.push_back(std::move(l));
    }
    return net;
  }

 private:
  void check_identifier(const YAML::Node& n, const std::string& s, const std::string& what) {
    bool ok = !s.empty() && (std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_');
    for (char c : s) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (s.size() > kMaxNameLength)  // before the pattern: the message must not print all of it
      r_.fail(n, fmt::format("{} '{}...' is {} characters long; at most {} (it names files such "
                             "as rtl/<network>_top.v and mem/<layer>_w.mem); shorten it",
                             what, s.substr(0, 24), s.size(), kMaxNameLength));
    if (!ok)
      r_.fail(n, fmt::format("{} '{}' must match [A-Za-z_][A-Za-z0-9_]* (it names Verilog "
                             "instances and files)",
                             what, s));
  }

  void parse_input(const YAML::Node& n, InputSpec& in) {
    const std::string ctx = "input: ";
    if (!n.IsMap()) r_.fail(n, "input: expected a mapping with shape, dtype, scale, zero_point");
    r_.check_keys(n, {"name", "shape", "dtype", "scale", "zero_point", "pixels_per_beat"}, ctx);
    in.loc = r_.at(n);
    if (n["name"]) {
      in.name = r_.as<std::string>(n["name"], "a tensor name", ctx);
      check_identifier(n["name"], in.name, "input name");
    }
    const auto shape = r_.require(n, "shape", "[H, W, C]", ctx);
    if (!shape.IsSequence() || shape.size() != 3) r_.fail(shape, ctx + "shape must be [H, W, C]");
    in.shape = {r_.as_positive_int(shape[0], "H", ctx), r_.as_positive_int(shape[1], "W", ctx),
                r_.as_positive_int(shape[2], "C", ctx)};
    if (in.shape.elements() > std::numeric_limits<int32_t>::max())
      r_.fail(shape, fmt::format("{}shape {} has {} elements; at most 2^31 - 1 are supported", ctx,
                                 in.shape.str(), in.shape.elements()));
    in.quant.dtype = parse_dtype(r_, r_.require(n, "dtype", "uint8 or int8", ctx), ctx);
    in.quant.scale = parse_scale(r_, r_.require(n, "scale", "a positive number", ctx), ctx);
    in.quant.zero_point =
        r_.as<int32_t>(r_.require(n, "zero_point", "an integer", ctx), "an integer", ctx);
    if (in.quant.zero_point < qmin(in.quant.dtype) || in.quant.zero_point > qmax(in.quant.dtype))
      r_.fail(n["zero_point"], ctx + "zero_point is outside the dtype's range");
    if (n["pixels_per_beat"]) {
      in.pixels_per_beat = r_.as_positive_int(n["pixels_per_beat"], "pixels_per_beat", ctx);
      if (in.shape.w % in.pixels_per_beat != 0)
        r_.fail(n["pixels_per_beat"],
                fmt::format("{}pixels_per_beat = {} must divide the input width {}", ctx,
                            in.pixels_per_beat, in.shape.w));
    }
  }

  NpyArray load_param(const YAML::Node& n, const std::string& ctx) {
    const auto file = r_.as<std::string>(n, "a .npy file name", ctx);
    const fs::path p = params_dir_ / file;
    std::error_code ec;
    if (fs::exists(p, ec) && !fs::is_regular_file(p, ec))
      r_.fail(n, fmt::format("{}parameter file '{}' ({}) is not a regular file (a directory, "
                             "device, FIFO or socket); it must be a .npy file",
                             ctx, file, p.string()));
    if (!fs::is_regular_file(p, ec))
      r_.fail(n, fmt::format(
                     "{}parameter file '{}' not found (looked in {}){}", ctx, file,
                     params_dir_.string(),
                     ec && ec != std::errc::no_such_file_or_directory ? ": " + ec.message() : ""));
    try {
      return read_npy(p.string());
    } catch (const Error& e) {
      r_.fail(n, ctx + e.what());
    }
  }

  void parse_weights(const YAML::Node& ln, Layer& l, const std::string& ctx) {
    const auto wn = r_.require(ln, "weights", "the int8/uint8 weight tensor file", ctx);
    const NpyArray w = load_param(wn, ctx);
    if (w.descr == "|i1" || w.descr == "<i1")
      l.weight_dtype = DType::Int8;
    else if (w.descr == "|u1" || w.descr == "<u1")
      l.weight_dtype = DType::UInt8;
    else
      r_.fail(wn,
              fmt::format("{}weights must be int8 or uint8, the file holds '{}'", ctx, w.descr));
    const size_t want_rank = l.op == OpKind::FullyConnected ? 2 : 4;
    if (w.shape.size() != want_rank)
      r_.fail(wn, fmt::format("{}weights must have rank {} ({}), got rank {}", ctx, want_rank,
                              l.op == OpKind::FullyConnected ? "[O, I]"
                              : l.op == OpKind::Conv2D       ? "[O, KH, KW, I]"
                                                             : "[1, KH, KW, C*DM]",
                              w.shape.size()));
    if (w.size() == 0)
      r_.fail(wn, fmt::format("{}weights are empty (shape ({}))", ctx, fmt::join(w.shape, ", ")));
    for (auto d : w.shape) l.weight_shape.push_back(static_cast<int32_t>(d));  // < 2^31
    // The layout before the bias check: HWIO weights (Keras/TF) would otherwise be reported as
    // a bias of the wrong length.
    const auto& ws = l.weight_shape;
    if (l.op == OpKind::Conv2D && (ws[1] != l.kernel_h || ws[2] != l.kernel_w))
      r_.fail(wn,
              fmt::format("{}weights have shape ({}) but a {}x{} convolution needs [O, {}, {}, "
                          "I] (OHWI, TFLite's layout){}",
                          ctx, fmt::join(ws, ", "), l.kernel_h, l.kernel_w, l.kernel_h, l.kernel_w,
                          ws[0] == l.kernel_h && ws[1] == l.kernel_w
                              ? "; these look like HWIO [KH, KW, I, O] (Keras): transpose "
                                "them with np.transpose(w, (3, 0, 1, 2))"
                              : ""));
    l.weights.assign(w.ints.begin(), w.ints.end());
    const int out_channels =
        l.op == OpKind::DepthwiseConv2D ? l.weight_shape[3] : l.weight_shape[0];
    if (ln["bias"] && ln["bias_float"])
      r_.fail(ln["bias_float"], ctx + "give either bias (int32) or bias_float (float32), not both");
    if (ln["bias_float"] && l.requant_mode != RequantMode::ScaleShift)
      r_.fail(ln["bias_float"], ctx + "bias_float derives the bias from requant: {multiplier, "
                                      "shift}; this layer has no requant:");
    if (ln["bias_gain"] && !ln["bias_float"])
      r_.fail(ln["bias_gain"], ctx + "bias_gain only applies to bias_float");
    if (ln["bias_float"]) {
      const NpyArray b = load_param(ln["bias_float"], ctx);
      if (b.descr != "<f4")
        r_.fail(ln["bias_float"],
                fmt::format("{}bias_float must be float32 (<f4), the file holds '{}'", ctx, b.descr));
      if (b.size() != out_channels)
        r_.fail(ln["bias_float"], fmt::format("{}bias_float has {} values, expected {} (one per "
                                              "output channel)",
                                              ctx, b.size(), out_channels));
      const float gain =
          ln["bias_gain"] ? r_.as<float>(ln["bias_gain"], "a number (the input gain, e.g. 256)", ctx)
                          : 1.0f;
      if (!std::isfinite(gain) || !(gain > 0))
        r_.fail(ln["bias_gain"], ctx + "bias_gain must be a positive finite number");
      for (double v : b.floats) {
        const int64_t q = std::isfinite(v) ? scale_shift_bias(static_cast<float>(v), gain,
                                                              l.scale_shift.multiplier,
                                                              l.scale_shift.shift)
                                           : INT64_MAX;
        if (q < INT32_MIN || q > INT32_MAX)
          r_.fail(ln["bias_float"],
                  fmt::format("{}bias {} x {} / ({} / 2^{}) does not fit int32", ctx, v, gain,
                              l.scale_shift.multiplier, l.scale_shift.shift));
        l.bias.push_back(static_cast<int32_t>(q));
      }
    } else if (ln["bias"]) {
      const NpyArray b = load_param(ln["bias"], ctx);
      if (b.descr != "<i4")
        r_.fail(ln["bias"],
                fmt::format("{}bias must be int32 (<i4), the file holds '{}'", ctx, b.descr));
      if (b.size() != out_channels)
        r_.fail(ln["bias"], fmt::format("{}bias has {} values, expected {} (one per output "
                                        "channel)",
                                        ctx, b.size(), out_channels));
      l.bias.assign(b.ints.begin(), b.ints.end());
    } else {
      l.bias.assign(out_channels, 0);
    }
    const bool scales_needed = l.requant_mode != RequantMode::ScaleShift;
    if (!scales_needed && !ln["weight_scales"]) {
      // requant: gives the integers; no float scale is needed
    } else if (const auto sn = r_.require(ln, "weight_scales", "float32 scales: a .npy file or a number", ctx);
        sn.IsScalar() && sn.Scalar().size() > 4 &&
        sn.Scalar().substr(sn.Scalar().size() - 4) == ".npy") {
      const NpyArray s = load_param(sn, ctx);
      if (!s.is_float()) r_.fail(sn, ctx + "weight_scales must be float32");
      if (s.size() != 1 && s.size() != out_channels)
        r_.fail(sn, fmt::format("{}weight_scales has {} values, expected 1 or {}", ctx, s.size(),
                                out_channels));
      for (double v : s.floats) {
        if (!valid_float_scale(v))
          r_.fail(sn, fmt::format("{}weight scale {} is not a positive finite float32", ctx, v));
        l.weight_scales.push_back(static_cast<float>(v));
      }
    } else {
      l.weight_scales.push_back(parse_scale(r_, sn, ctx));
    }
    if (ln["weight_zero_point"])
      l.weight_zero_point = r_.as<int32_t>(ln["weight_zero_point"], "an integer", ctx);
    if (l.weight_zero_point < qmin(l.weight_dtype) || l.weight_zero_point > qmax(l.weight_dtype))
      r_.fail(ln["weight_zero_point"], ctx + "weight_zero_point outside the weights' dtype range");
    for (int32_t v : l.weights)
      if (v < qmin(l.weight_dtype) || v > qmax(l.weight_dtype))
        r_.fail(wn, ctx + "weight value outside its dtype range");
  }

  Activation parse_activation(const YAML::Node& n, const std::string& ctx) {
    const auto s = r_.as<std::string>(n, "an activation", ctx);
    if (s == "none") return Activation::None;
    if (s == "relu") return Activation::Relu;
    if (s == "relu6") return Activation::Relu6;
    if (s == "relu_n1_to_1") return Activation::ReluN1To1;
    r_.fail(
        n, fmt::format("{}activation must be none, relu, relu6 or relu_n1_to_1, got '{}'", ctx, s));
  }

  // requant: {multiplier: S, shift: k, rounding: floor|half_up|half_even, clamp: [lo, hi]}
  void parse_scale_shift(const YAML::Node& n, Layer& l, const std::string& ctx) {
    if (!n.IsMap()) r_.fail(n, ctx + "expected {multiplier, shift, rounding[, clamp]}");
    r_.check_keys(n, {"multiplier", "shift", "rounding", "clamp"}, ctx);
    ScaleShift& ss = l.scale_shift;
    ss.multiplier = r_.as<int64_t>(r_.require(n, "multiplier", "the integer S of y = acc*S >> k", ctx),
                                   "an integer", ctx);
    if (ss.multiplier == 0 || ss.multiplier <= -(int64_t(1) << 31) ||
        ss.multiplier >= (int64_t(1) << 31))
      r_.fail(n["multiplier"], ctx + "multiplier must be a non-zero integer with |S| < 2^31");
    ss.shift = r_.as<int>(r_.require(n, "shift", "the right shift k of y = acc*S >> k", ctx),
                          "an integer", ctx);
    if (ss.shift < 0 || ss.shift > 62) r_.fail(n["shift"], ctx + "shift must be in 0..62");
    const YAML::Node rn =
        r_.require(n, "rounding", "floor (arithmetic shift), half_up or half_even", ctx);
    const auto rounding = r_.as<std::string>(rn, "a rounding mode", ctx);
    if (rounding == "floor")
      ss.rounding = Rounding::Floor;
    else if (rounding == "half_up")
      ss.rounding = Rounding::HalfUp;
    else if (rounding == "half_even")
      ss.rounding = Rounding::HalfEven;
    else
      r_.fail(rn, fmt::format("{}rounding must be floor (arithmetic shift), half_up or half_even, "
                              "got '{}'",
                              ctx, rounding));
    if (const YAML::Node c = n["clamp"]) {
      if (!c.IsSequence() || c.size() != 2) r_.fail(c, ctx + "clamp must be [min, max]");
      ss.clamp = true;
      ss.clamp_min = r_.as<int32_t>(c[0], "an int32", ctx);
      ss.clamp_max = r_.as<int32_t>(c[1], "an int32", ctx);
      if (ss.clamp_min > ss.clamp_max) r_.fail(c, ctx + "clamp: min must not exceed max");
    }
    l.requant_mode = RequantMode::ScaleShift;
  }

  // Output of a requant: layer: {dtype: int|uint|int8|uint8, bits: auto|N, zero_point, scale},
  // every key optional (default: bits chosen by the interval analysis, zero point 0).
  void parse_scale_shift_output(const YAML::Node& n, Layer& l, const std::string& ctx) {
    TensorQuant& q = l.out_quant;
    q = TensorQuant{};
    l.out_bits_auto = true;
    if (!n) return;
    if (!n.IsMap()) r_.fail(n, ctx + "expected {dtype, bits, zero_point}");
    r_.check_keys(n, {"dtype", "bits", "zero_point", "scale"}, ctx);
    std::string dtype = "uint";
    if (n["dtype"]) dtype = r_.as<std::string>(n["dtype"], "int, uint, int8 or uint8", ctx);
    if (dtype == "int8" || dtype == "uint8") {
      l.out_bits_auto = false;
      if (n["bits"] && n["bits"].Scalar() != "8")
        r_.fail(n["bits"], ctx + "dtype int8/uint8 has 8 bits; use dtype int/uint with bits: N");
    } else if (dtype != "int" && dtype != "uint") {
      r_.fail(n["dtype"], fmt::format("{}dtype must be int, uint, int8 or uint8, got '{}'", ctx,
                                      dtype));
    }
    q.dtype = dtype[0] == 'u' ? DType::UInt8 : DType::Int8;
    if (n["bits"] && n["bits"].Scalar() != "auto") {
      l.out_bits_auto = false;
      q.bits = r_.as<int>(n["bits"], "a width in bits or auto", ctx);
      if (q.bits < 8 || q.bits > 32) r_.fail(n["bits"], ctx + "bits must be in 8..32 (or auto)");
    }
    if (n["zero_point"]) {
      q.zero_point = r_.as<int32_t>(n["zero_point"], "an integer zero point", ctx);
      if (q.zero_point < qmin(q) || q.zero_point > qmax(q))
        r_.fail(n["zero_point"], fmt::format("{}zero_point {} is outside the {} range", ctx,
                                             q.zero_point, type_name(q)));
    }
    if (n["scale"]) q.scale = parse_scale(r_, n["scale"], ctx);
  }

  Layer parse_layer(const YAML::Node& ln, const Network& net, const std::string& previous) {
    if (!ln.IsMap()) r_.fail(ln, "each layer must be a mapping with at least 'name' and 'op'");
    Layer l;
    l.loc = r_.at(ln);
    const auto name_node = r_.require(ln, "name", "a unique layer name", "layer: ");
    l.name = r_.as<std::string>(name_node, "a layer name", "layer: ");
    check_identifier(name_node, l.name, "layer name");
    const std::string ctx = fmt::format("layer '{}': ", l.name);
    const auto op_node = r_.require(ln, "op", "the operation, e.g. conv2d", ctx);
    const auto op_name = r_.as<std::string>(op_node, "an op name", ctx);
    const auto it = op_table().find(op_name);
    if (it == op_table().end()) {
      std::string list;
      for (const auto& kv : op_table()) list += (list.empty() ? "" : ", ") + kv.first;
      r_.fail(op_node, fmt::format("{}unknown op '{}' (supported: {})", ctx, op_name, list));
    }
    l.op = it->second.op;
    r_.check_keys(ln, it->second.keys, ctx);
    if (ln["source"]) l.source = r_.as<std::string>(ln["source"], "a string", ctx);

    if (ln["inputs"]) {
      const auto in = ln["inputs"];
      if (in.IsScalar()) {
        l.inputs.push_back(in.as<std::string>());
      } else if (in.IsSequence()) {
        for (const auto& i : in) l.inputs.push_back(r_.as<std::string>(i, "a tensor name", ctx));
      } else {
        r_.fail(in, ctx + "inputs must be a tensor name or a list of names");
      }
      for (size_t i = 0; i < l.inputs.size(); ++i)
        if (l.inputs[i] != net.input.name && !net.find(l.inputs[i]))
          r_.fail(in.IsSequence() ? in[i] : in,
                  fmt::format("{}input '{}' is not the network input or an earlier layer", ctx,
                              l.inputs[i]));
    } else {
      l.inputs.push_back(previous);
    }
    const size_t want_inputs = l.op == OpKind::Add ? 2 : 1;
    if (l.op == OpKind::Concat ? l.inputs.size() < 2 : l.inputs.size() != want_inputs)
      r_.fail(ln["inputs"] ? ln["inputs"] : ln,
              fmt::format("{}{} takes {} input(s), got {}", ctx, op_name,
                          l.op == OpKind::Concat ? "2 or more" : std::to_string(want_inputs),
                          l.inputs.size()));

    const TensorQuant in_q = net.quant_of(l.inputs[0]);
    if (ln["activation"]) l.activation = parse_activation(ln["activation"], ctx);
    if (ln["requantization"]) {
      // docs/network-format.md: tflite (default), onnxruntime, onnxruntime_u8 (average pool of
      // an int8 QDQ graph that ONNX Runtime ran as uint8).
      const auto s = r_.as<std::string>(ln["requantization"], "a requantization", ctx);
      const bool rescales = has_weights(l.op) || l.op == OpKind::AveragePool2D ||
                            l.op == OpKind::Mean || l.op == OpKind::Add || l.op == OpKind::Concat;
      const bool u8_run = l.op == OpKind::AveragePool2D || l.op == OpKind::Add;
      if (s == "onnxruntime" || (s == "onnxruntime_u8" && u8_run))
        l.requant_mode = RequantMode::OnnxRuntimeFloat;
      else if (s != "tflite")
        r_.fail(ln["requantization"],
                fmt::format("{}requantization must be tflite or onnxruntime (onnxruntime_u8: "
                            "average_pool2d and add only), got '{}'",
                            ctx, s));
      if (!rescales && s != "tflite")
        r_.fail(ln["requantization"],
                ctx + "requantization applies to conv2d, depthwise_conv2d, fully_connected, "
                      "average_pool2d, mean, add and concat only");
      if (ln["requant"] && s != "tflite")
        r_.fail(ln["requantization"], ctx + "requantization: and requant: exclude each other");
      if (s == "onnxruntime_u8") l.onnx_zero_point_offset = 128;
    }
    if (ln["kernel"]) std::tie(l.kernel_h, l.kernel_w) = r_.pair(ln["kernel"], "kernel", ctx);
    if (ln["pool"]) std::tie(l.kernel_h, l.kernel_w) = r_.pair(ln["pool"], "pool", ctx);
    if (ln["stride"]) std::tie(l.stride_h, l.stride_w) = r_.pair(ln["stride"], "stride", ctx);
    if (ln["padding"]) {
      const auto p = r_.as<std::string>(ln["padding"], "same or valid", ctx);
      if (p == "same")
        l.padding = Padding::Same;
      else if (p == "valid")
        l.padding = Padding::Valid;
      else
        r_.fail(ln["padding"], fmt::format("{}padding must be same or valid, got '{}'", ctx, p));
    }
    if (l.op == OpKind::AveragePool2D || l.op == OpKind::MaxPool2D)
      r_.require(ln, "pool", "[KH, KW] pooling window", ctx);
    if (l.op == OpKind::Conv2D || l.op == OpKind::DepthwiseConv2D)
      r_.require(ln, "kernel", "[KH, KW]", ctx);
    if (ln["depth_multiplier"])
      l.depth_multiplier = r_.as_positive_int(ln["depth_multiplier"], "depth_multiplier", ctx);
    if (ln["requant"]) parse_scale_shift(ln["requant"], l, ctx + "requant: ");
    if (has_weights(l.op)) parse_weights(ln, l, ctx);
    if (ln["rounding"]) {
      const auto v = r_.as<std::string>(ln["rounding"], "tflite or half_even", ctx);
      if (v == "half_even")
        l.pool_half_even = true;
      else if (v != "tflite")
        r_.fail(ln["rounding"], fmt::format("{}rounding must be tflite (halves away from zero) or "
                                            "half_even, got '{}'",
                                            ctx, v));
    }
    if (l.op == OpKind::Pad) {
      const auto p = r_.require(ln, "pads", "[top, bottom, left, right]", ctx);
      if (!p.IsSequence() || p.size() != 4)
        r_.fail(p, ctx + "pads must be [top, bottom, left, right]");
      l.pads = {r_.as<int>(p[0], "an int", ctx), r_.as<int>(p[1], "an int", ctx),
                r_.as<int>(p[2], "an int", ctx), r_.as<int>(p[3], "an int", ctx)};
      for (int v : {l.pads.top, l.pads.bottom, l.pads.left, l.pads.right})
        if (v < 0 || v > 65536) r_.fail(p, ctx + "pads must be in 0..65536");
    }
    if (l.op == OpKind::Reshape && ln["shape"]) {
      const auto s = ln["shape"];
      if (!s.IsSequence() || s.size() != 3) r_.fail(s, ctx + "shape must be [h, w, c]");
      l.reshape_to = {r_.as_positive_int(s[0], "h", ctx), r_.as_positive_int(s[1], "w", ctx),
                      r_.as_positive_int(s[2], "c", ctx)};
    }
    if (l.op == OpKind::Softmax && ln["beta"]) {
      l.softmax_beta = r_.as<float>(ln["beta"], "a number", ctx);
      if (!(l.softmax_beta > 0) || !std::isfinite(l.softmax_beta))
        r_.fail(ln["beta"], ctx + "beta must be positive and finite");
    }

    const bool quant_passthrough = l.op == OpKind::AveragePool2D || l.op == OpKind::MaxPool2D ||
                                   l.op == OpKind::Pad || l.op == OpKind::Reshape;
    if (l.requant_mode == RequantMode::ScaleShift) {
      parse_scale_shift_output(ln["output"], l, ctx + "output: ");
    } else if (ln["output"]) {
      l.out_quant = parse_quant(r_, ln["output"], in_q.dtype, ctx + "output: ");
    } else if (quant_passthrough) {
      l.out_quant = in_q;
    } else {
      r_.fail(ln, fmt::format("{}missing key 'output' ({{dtype, scale, zero_point}} of the "
                              "layer's output tensor)",
                              ctx));
    }
    if (ln["hw"]) {
      const auto hw = ln["hw"];
      if (!hw.IsMap()) r_.fail(hw, ctx + "hw must be a mapping {pe, simd, share, mult, buffer}");
      r_.check_keys(hw, {"pe", "simd", "share", "mult", "buffer"}, ctx + "hw: ");
      if (hw["buffer"]) {
        const std::string b =
            r_.as<std::string>(hw["buffer"], "block or lut", ctx + "hw: buffer: ");
        if (b != "block" && b != "lut")
          r_.fail(hw["buffer"], ctx + fmt::format("hw: buffer: '{}' is not block or lut (where "
                                                  "the layer's line buffer goes)",
                                                  b));
        l.folding.lut_buffer = b == "lut";
      }
      if (hw["mult"]) {
        const std::string m = r_.as<std::string>(hw["mult"], "dsp or lut", ctx + "hw: mult: ");
        if (m != "dsp" && m != "lut")
          r_.fail(hw["mult"], ctx + fmt::format("hw: mult: '{}' is not dsp or lut (where the "
                                                "layer's multipliers go)",
                                                m));
        if (m == "lut" && l.op != OpKind::Conv2D && l.op != OpKind::FullyConnected)
          r_.fail(hw["mult"], ctx +
                                  "hw: mult: lut is implemented for conv2d and "
                                  "fully_connected layers only (use dsp or remove the key)");
        l.folding.lut_mult = m == "lut";
      }
      if (hw["pe"]) l.folding.pe = r_.as_positive_int(hw["pe"], "pe", ctx);
      if (hw["simd"]) l.folding.simd = r_.as_positive_int(hw["simd"], "simd", ctx);
      if (hw["share"]) {
        l.folding.share = r_.as<std::string>(hw["share"], "a unit name", ctx + "hw: share: ");
        if (l.op != OpKind::DepthwiseConv2D)
          r_.fail(hw["share"], ctx +
                                   "hw: share names a shared depthwise unit; only "
                                   "depthwise_conv2d layers can use one (remove the key)");
        check_identifier(hw["share"], l.folding.share, ctx + "hw: share");
      }
    }
    const TensorQuant second_q = l.inputs.size() > 1 ? net.quant_of(l.inputs[1]) : in_q;
    const std::string why = quantization_problem(l, in_q, second_q);
    if (!why.empty()) r_.fail(ln, ctx + why);
    return l;
  }

  Reader r_;
  fs::path dir_;
  fs::path params_dir_;
};

}  // namespace

Network parse_network_yaml(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(fmt::format("{}: no such file", path));
  if (fs::is_directory(path, ec))
    throw Error(fmt::format("{}: is a directory, expected a YAML network description", path));
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::ParserException& e) {
    throw Error(SourceLoc{path, e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}: cannot read YAML: {}", path, e.what()));
  }
  try {
    return NetworkParser(path).parse(root);
  } catch (const YAML::Exception& e) {
    throw Error(SourceLoc{path, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
}

Network load_network_yaml(const std::string& path) {
  return compile(parse_network_yaml(path), CompileOptions(CompileStage::Passes)).net;
}

}  // namespace rtlgen
