// Naming of imported networks: see rtlgen/import_naming.hpp.
#include "rtlgen/import_naming.hpp"

#include <fmt/format.h>

#include <vector>

#include "rtlgen/names.hpp"

namespace rtlgen {

std::string imported_layer_prefix(OpKind op) {
  switch (op) {
    case OpKind::Conv2D:
      return "conv";
    case OpKind::DepthwiseConv2D:
      return "dw";
    case OpKind::FullyConnected:
      return "fc";
    case OpKind::AveragePool2D:
    case OpKind::MaxPool2D:
      return "pool";
    default:  // every other op: its name
      return to_string(op);
  }
}

std::string sanitize_identifier(const std::string& s, const std::string& fallback) {
  // TF2 converters join fused op names with ';' -- the first one names the result.
  std::string first = s.substr(0, s.find(';'));
  // Collapse repeated path components ("MobilenetV1/MobilenetV1/Conv2d_0" -> one MobilenetV1).
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= first.size()) {
    size_t e = first.find('/', pos);
    if (e == std::string::npos) e = first.size();
    std::string part = first.substr(pos, e - pos);
    if (!part.empty() && (parts.empty() || parts.back() != part)) parts.push_back(part);
    pos = e + 1;
  }
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += '_';
    for (char c : part) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (ok)
        out += c;
      else if (out.empty() || out.back() != '_')
        out += '_';
    }
  }
  // Collapse '_' runs (from joins), strip leading digits/underscores and trailing underscores.
  std::string r;
  for (char c : out)
    if (!(c == '_' && (r.empty() || r.back() == '_'))) r += c;
  size_t b = 0;
  while (b < r.size() && (r[b] == '_' || (r[b] >= '0' && r[b] <= '9'))) ++b;
  r = r.substr(b);
  while (!r.empty() && r.back() == '_') r.pop_back();
  // Names become file names and identifiers (at most kMaxNameLength): a long one is cut and
  // given a hash of the whole, so it stays unique and the same for the same model.
  return r.empty() ? fallback : shorten_name(r);
}

std::string ImportedLayerNames::next(OpKind op) {
  const std::string prefix = imported_layer_prefix(op);
  std::string name;
  do name = fmt::format("{}{}", prefix, ++count_[prefix]);
  while (taken_.count(name));
  taken_.insert(name);
  return name;
}

}  // namespace rtlgen
