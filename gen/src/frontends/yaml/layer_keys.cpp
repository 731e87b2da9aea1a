#include "frontends/yaml/layer_keys.hpp"

#include <fmt/format.h>

namespace rtlgen::yaml {

YAML::Node LayerKeysIn::list(const char* key, size_t count, const char* form) const {
  const YAML::Node n = layer_[key];
  if (!n.IsSequence() || n.size() != count) r_.fail(n, ctx_ + form);
  return n;
}

std::vector<int> LayerKeysIn::ints(const char* key, size_t count, const char* form) const {
  const YAML::Node n = list(key, count, form);
  std::vector<int> v;
  for (size_t i = 0; i < count; ++i) v.push_back(r_.as<int>(n[i], "an int", ctx_));
  return v;
}

std::vector<int> LayerKeysIn::positive_ints(const char* key, const std::vector<const char*>& names,
                                            const char* form) const {
  const YAML::Node n = list(key, names.size(), form);
  std::vector<int> v;
  for (size_t i = 0; i < names.size(); ++i) v.push_back(r_.as_positive_int(n[i], names[i], ctx_));
  return v;
}

void LayerKeysIn::window(Layer& l, const char* window_key, const char* what) const {
  if (has(window_key)) std::tie(l.kernel_h, l.kernel_w) = pair(window_key);
  if (has("stride")) std::tie(l.stride_h, l.stride_w) = pair("stride");
  if (has("padding")) {
    const std::string p = text("padding", "same or valid");
    if (p == "same")
      l.padding = Padding::Same;
    else if (p == "valid")
      l.padding = Padding::Valid;
    else
      fail("padding", fmt::format("padding must be same or valid, got '{}'", p));
  }
  require(window_key, what);
}

std::string float_text(float v) { return fmt::format("{:.9g}", v); }

void LayerKeysOut::text(const char* key, const std::string& value) {
  out_ << YAML::Key << key << YAML::Value << value;
}

void LayerKeysOut::integer(const char* key, int64_t value) {
  out_ << YAML::Key << key << YAML::Value << value;
}

void LayerKeysOut::number(const char* key, float value) { text(key, float_text(value)); }

void LayerKeysOut::ints(const char* key, const std::vector<int>& values) {
  out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (int v : values) out_ << v;
  out_ << YAML::EndSeq;
}

void LayerKeysOut::window(const Layer& l, const char* window_key) {
  pair(window_key, l.kernel_h, l.kernel_w);
  pair("stride", l.stride_h, l.stride_w);
  text("padding", to_string(l.padding));
}

}  // namespace rtlgen::yaml
