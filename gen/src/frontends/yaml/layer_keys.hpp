// The YAML form of an op's own keys (docs/network-format.md), as the op-table entries read and
// write them (OpDef::read_yaml / write_yaml): the entry says which keys it has and what they
// mean, these classes how a value is spelt and where an error points. The keys every layer has
// (name, op, inputs, output, hw, requantization, weights) stay with the layer reader
// (yaml/yaml_layer.cpp) and writer (yaml_writer.cpp).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "frontends/yaml/yaml_parser.hpp"
#include "rtlgen/ir.hpp"

namespace rtlgen::yaml {

// The keys of one layer's mapping; every error is an Error at the offending node, prefixed with
// the layer's context ("layer 'NAME': ").
class LayerKeysIn {
 public:
  LayerKeysIn(const Reader& r, const YAML::Node& layer, const std::string& ctx)
      : r_(r), layer_(layer), ctx_(ctx) {}

  bool has(const char* key) const { return bool(layer_[key]); }
  // Fails when the key is absent: "missing key 'KEY' (WHAT)".
  void require(const char* key, const char* what) const { r_.require(layer_, key, what, ctx_); }
  [[noreturn]] void fail(const char* key, const std::string& message) const {
    r_.fail(layer_[key], ctx_ + message);
  }
  std::string text(const char* key, const char* what) const {
    return r_.as<std::string>(layer_[key], what, ctx_);
  }
  float number(const char* key, const char* what) const {
    return r_.as<float>(layer_[key], what, ctx_);
  }
  int positive_int(const char* key) const { return r_.as_positive_int(layer_[key], key, ctx_); }
  // [a, b] of positive ints; a single number n means [n, n].
  std::pair<int, int> pair(const char* key) const { return r_.pair(layer_[key], key, ctx_); }
  // A list of `count` ints; `form` is the message when the value is not such a list.
  std::vector<int> ints(const char* key, size_t count, const char* form) const;
  // A list of positive ints (1..65536), one a name of `names` (the name in its messages).
  std::vector<int> positive_ints(const char* key, const std::vector<const char*>& names,
                                 const char* form) const;

  // The window keys of convolutions and pooling: WINDOW_KEY ([KH, KW], required; `what` in the
  // message when it is missing), stride ([SH, SW], default 1) and padding (same or valid).
  void window(Layer& l, const char* window_key, const char* what) const;

 private:
  YAML::Node list(const char* key, size_t count, const char* form) const;

  const Reader& r_;
  const YAML::Node& layer_;
  const std::string& ctx_;
};

// Writes an op's own keys into the layer's mapping, in the order the entry writes them.
class LayerKeysOut {
 public:
  explicit LayerKeysOut(YAML::Emitter& out) : out_(out) {}

  void text(const char* key, const std::string& value);
  void integer(const char* key, int64_t value);
  // Float32 with enough digits to read back the same value, whatever the locale.
  void number(const char* key, float value);
  void ints(const char* key, const std::vector<int>& values);  // a flow sequence [a, b, ...]
  void pair(const char* key, int a, int b) { ints(key, {a, b}); }
  // The window keys (LayerKeysIn::window): WINDOW_KEY, stride, padding.
  void window(const Layer& l, const char* window_key);

 private:
  YAML::Emitter& out_;
};

// Float32 as the writer spells it (LayerKeysOut::number).
std::string float_text(float v);

}  // namespace rtlgen::yaml
