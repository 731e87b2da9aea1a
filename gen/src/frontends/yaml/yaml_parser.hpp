// The YAML network reader (internal to the loader): typed access to YAML nodes with errors at
// the node (Reader), the op names and keys of layers (op_table), and the parser of a network,
// whose parts live in files by job: yaml_loader.cpp (the network, its input and device),
// yaml/yaml_layer.cpp (a layer and its op's keys), yaml/yaml_params.cpp (weights, biases and the
// scale-shift scheme's parameters from .npy files).
#pragma once

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "rtlgen/error.hpp"
#include "rtlgen/ir.hpp"
#include "rtlgen/npy.hpp"

namespace rtlgen::yaml {

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

DType parse_dtype(const Reader& r, const YAML::Node& n, const std::string& ctx);
bool valid_float_scale(double v);
float parse_scale(const Reader& r, const YAML::Node& n, const std::string& ctx);
TensorQuant parse_quant(const Reader& r, const YAML::Node& n, DType default_dtype,
                        const std::string& ctx);

struct OpInfo {
  OpKind op;
  std::set<std::string> keys;
};
const std::map<std::string, OpInfo>& op_table();

class NetworkParser {
 public:
  NetworkParser(const std::string& path) : r_(path), dir_(fs::path(path).parent_path()) {}

  // A part or board name of the device table (rtlgen devices lists them).
  std::string parse_device(const YAML::Node& node, const std::string& ctx);

  // The whole network (yaml_loader.cpp).
  Network parse(const YAML::Node& root);

 private:
  // yaml_loader.cpp
  void check_identifier(const YAML::Node& n, const std::string& s, const std::string& what);
  void parse_input(const YAML::Node& n, InputSpec& in);

  // yaml/yaml_layer.cpp
  Layer parse_layer(const YAML::Node& ln, const Network& net, const std::string& previous);
  Activation parse_activation(const YAML::Node& n, const std::string& ctx);

  // yaml/yaml_params.cpp
  NpyArray load_param(const YAML::Node& n, const std::string& ctx);
  void parse_weights(const YAML::Node& ln, Layer& l, const std::string& ctx);
  // requant: {multiplier: S, shift: k, rounding: floor|half_up|half_even, clamp: [lo, hi]}
  void parse_scale_shift(const YAML::Node& n, Layer& l, const std::string& ctx);
  // Output of a requant: layer: {dtype: int|uint|int8|uint8, bits: auto|N, zero_point, scale},
  // every key optional (default: bits chosen by the interval analysis, zero point 0).
  void parse_scale_shift_output(const YAML::Node& n, Layer& l, const std::string& ctx);

  Reader r_;
  fs::path dir_;
  fs::path params_dir_;
};

}  // namespace rtlgen::yaml
