// Loading a network from either frontend, and dumping tensors.
#pragma once

#include <string>
#include <vector>

#include "rtlgen/ir.hpp"
#include "rtlgen/tensor.hpp"

namespace rtlgen {

// NET.yaml, MODEL.tflite or MODEL.onnx -> prepared and folded IR: compile() up to the folding
// (rtlgen/compile.hpp). Throws rtlgen::Error.
Network load_network(const std::string& path);

// Writes DIR/input.npy, DIR/<layer>.npy for every layer and DIR/manifest.json (name, source,
// file, shape, dtype, scale, zero_point per layer, in order). DIR is written atomically like an
// output directory (write_output_dir): never partially, never over a directory rtlgen did not
// write.
void dump_tensors(const Network& net, const Tensor& input, const std::vector<Tensor>& outputs,
                  const std::string& dir);

// The per-layer table printed by `rtlgen info`.
std::string info_table(const Network& net);

// numpy descr of a tensor dtype ("|u1", "|i1", "<i4").
const char* npy_descr(DType t);

}  // namespace rtlgen
