#include "rtlgen/yaml_loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "frontends/yaml/yaml_parser.hpp"
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

namespace rtlgen::yaml {

// A part or board name of the device table (rtlgen devices lists them).
std::string NetworkParser::parse_device(const YAML::Node& node, const std::string& ctx) {
  const std::string name = r_.as<std::string>(node, "a device: part or board name", ctx);
  try {
    find_device(name);
  } catch (const Error& e) {
    r_.fail(node, ctx + e.what());
  }
  return name;
}

Network NetworkParser::parse(const YAML::Node& root) {
  if (!root.IsMap()) r_.fail(root, "expected a mapping with keys network, params, input, layers");
  r_.check_keys(
      root,
      {"network", "params", "input", "layers", "target_clock_mhz", "device", "fold", "argmax"}, "");
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
    net.target_clock_mhz = r_.as<double>(root["target_clock_mhz"], "a clock frequency in MHz", "");
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
      r_.fail(a,
              "argmax: expected true (class index on m_axis_tuser), false (none) or auto "
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
        r_.fail(f["target_fps"], "fold: target_fps must be a positive number of frames per second");
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

void NetworkParser::check_identifier(const YAML::Node& n, const std::string& s,
                                     const std::string& what) {
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

void NetworkParser::parse_input(const YAML::Node& n, InputSpec& in) {
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

}  // namespace rtlgen::yaml

namespace rtlgen {

using yaml::NetworkParser;
namespace fs = std::filesystem;

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
