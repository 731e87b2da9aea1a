// NumPy .npy reading and writing (format 1.0/2.0, little-endian, C order).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rtlgen {

// An array as read from disk; integer data is widened to int64, float data kept as double.
struct NpyArray {
  std::string descr;           // e.g. "|i1", "<f4"
  std::vector<int64_t> shape;  // empty = scalar
  std::vector<int64_t> ints;   // filled for integer dtypes
  std::vector<double> floats;  // filled for float dtypes
  bool is_float() const { return descr.size() >= 2 && descr[1] == 'f'; }
  int64_t size() const;
};

// Throws rtlgen::Error naming the path and what is wrong (bad magic, truncated, dtype...).
NpyArray read_npy(const std::string& path);
NpyArray parse_npy(const std::string& bytes, const std::string& name_for_errors);

// Writers: descr "|u1", "|i1", "<i4" for integers, "<f4" for floats.
std::string encode_npy(const std::string& descr, const std::vector<int64_t>& shape,
                       const std::vector<int64_t>& ints, const std::vector<double>& floats = {});
void write_npy(const std::string& path, const std::string& descr,
               const std::vector<int64_t>& shape, const std::vector<int64_t>& ints,
               const std::vector<double>& floats = {});

}  // namespace rtlgen
