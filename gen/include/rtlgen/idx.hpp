// MNIST-style IDX files (optionally gzip-compressed is NOT handled here: pass plain or .gz via
// read_idx, which inflates with zlib when the name ends in .gz).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rtlgen {

struct IdxArray {
  std::vector<int> dims;
  std::vector<uint8_t> data;
};

// Reads an unsigned-byte IDX file (magic 0x00000801 labels, 0x00000803 images).
IdxArray read_idx(const std::string& path);

// Finds images/labels in DIR: the project's mnist10k names, train-/t10k- standard names, or
// the repo's mnist100 test subset.
void find_mnist_files(const std::string& dir, std::string* images, std::string* labels);

}  // namespace rtlgen
