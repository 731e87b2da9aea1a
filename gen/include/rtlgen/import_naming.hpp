// Naming of imported networks (both importers, .tflite and .onnx): identifiers made from the
// model's own strings, and short layer names by op and position (conv1, dw1, pool2, fc1, ...),
// because layer names name ports, instances and .mem files and fill report columns, while the
// models' tensor names are long and alike ("model_1/block_3/conv/Relu;model_1/...").
#pragma once

#include <map>
#include <set>
#include <string>

#include "rtlgen/ir.hpp"

namespace rtlgen {

// Sanitizes an arbitrary string into an identifier [A-Za-z_][A-Za-z0-9_]* (runs of other
// characters become one '_', leading digits and underscores are dropped, repeated '/'-path
// components are collapsed). Returns `fallback` if nothing is left.
std::string sanitize_identifier(const std::string& s, const std::string& fallback);

// Prefix of an imported layer's name (conv, dw, fc, pool, mean, add, pad, reshape, softmax):
// importers name layers conv1, dw1, pool2, ... by op and position.
std::string imported_layer_prefix(OpKind op);

// Hands out the layer names of one imported network, in layer order.
class ImportedLayerNames {
 public:
  // A name no layer may take (the network input's).
  void reserve(const std::string& name) { taken_.insert(name); }
  // The next free name for a layer of `op`: <prefix><n>, n counting from 1 per prefix.
  std::string next(OpKind op);

 private:
  std::set<std::string> taken_;
  std::map<std::string, int> count_;
};

}  // namespace rtlgen
