// Input frames for simulations and testbenches: random, IDX images (+ labels), .npy tensors or
// batches, PGM/BMP images, or a directory of those. One loader for `rtlgen sim`, the network
// harness and the generated Verilog testbench, so all see the same tensors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rtlgen/ir.hpp"
#include "rtlgen/tensor.hpp"

namespace rtlgen {

struct FrameSource {
  std::string inputs;   // file or directory (may be empty)
  std::string labels;   // IDX labels matching IDX images (optional)
  int max_frames = 0;   // 0 = all
  int skip = 0;         // IDX images to skip
  int random = 0;       // random frames appended after the file frames
  uint64_t seed = 1;
};

struct Frames {
  std::vector<Tensor> inputs;
  std::vector<int> labels;   // -1 where unknown
  std::string description;   // e.g. "20 IDX images of t10k-images-idx3-ubyte (q = pixel - 128)"
};

// Int8 inputs take pixel p as q = p - 128 (see README: the model's input scale is 1/255,
// zero point -128); uint8 inputs take q = p. Throws rtlgen::Error naming the file.
Frames load_frames(const Network& net, const FrameSource& src);

}  // namespace rtlgen
