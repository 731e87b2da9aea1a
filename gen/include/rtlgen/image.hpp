// Input images and tensors for `rtlgen run`: 8-bit PGM, 24/32/8-bit BMP, or .npy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rtlgen/ir.hpp"
#include "rtlgen/tensor.hpp"

namespace rtlgen {

struct Image {
  int h = 0, w = 0, c = 0;   // c = 1 (gray) or 3 (RGB)
  std::vector<uint8_t> px;   // row-major HWC, top row first
};

Image read_image(const std::string& path);                          // by extension/magic
Image parse_pgm(const std::string& bytes, const std::string& name);
Image parse_bmp(const std::string& bytes, const std::string& name);

// Bilinear resize with half-pixel centres (as tf.image.resize 'bilinear'), rounded to nearest.
Image resize_bilinear(const Image& img, int h, int w);

// Loads an input tensor for `spec`: a .npy (HWC or 1xHxWxC, uint8 or int8 matching the input
// dtype) is used as is; an image is resized to H x W (if needed), gray is replicated to 3
// channels when C = 3, and pixels p become q = p (uint8 input) or q = p - 128 (int8 input).
Tensor load_input(const std::string& path, const InputSpec& spec);

}  // namespace rtlgen
