#include "rtlgen/idx.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>

#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"

namespace rtlgen {

IdxArray read_idx(const std::string& path) {
  require_regular_file(path, "an IDX file");
  // gzopen reads plain files transparently, so one path handles .gz and raw IDX.
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(fmt::format("{}: cannot open IDX file", path));
  // Read the header first, then at most the data it announces plus one byte: a file (or a
  // decompression bomb) larger than its header says is refused without reading all of it.
  std::string bytes;
  size_t want = 4;          // bytes to read before the next decision
  size_t expected = 0;      // total file size the header announces (0: not known yet)
  constexpr size_t kMaxBytes = size_t(1) << 31;
  IdxArray a;
  char buf[1 << 16];
  bool failed = false, gz_truncated = false;
  for (;;) {
    while (bytes.size() < want) {
      const int n = gzread(f, buf, unsigned(std::min(sizeof buf, want - bytes.size())));
      if (n <= 0) {
        failed = n < 0;
        int err = Z_OK;
        gzerror(f, &err);
        gz_truncated = n == 0 && err == Z_BUF_ERROR;  // zlib: "unexpected end of file"
        break;
      }
      bytes.append(buf, size_t(n));
    }
    if (failed || bytes.size() < want || expected) break;
    if (bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08) break;  // reported below
    const int rank = static_cast<unsigned char>(bytes[3]);
    if (rank < 1 || rank > 4) break;
    if (bytes.size() < 4 + 4 * size_t(rank)) {
      want = 4 + 4 * size_t(rank);
      continue;
    }
    size_t count = 1;
    for (int i = 0; i < rank; ++i) {
      uint32_t d = 0;
      for (int b = 0; b < 4; ++b) d = (d << 8) | static_cast<unsigned char>(bytes[4 + 4 * i + b]);
      if (d == 0 || d > (1u << 24)) {
        gzclose(f);
        throw Error(fmt::format("{}: bad IDX dimension {} (dimension {} of {})", path, d, i + 1,
                                rank));
      }
      a.dims.push_back(int(d));
      count = std::min(count * d, kMaxBytes + 1);  // <= 2^31 * 2^24: no overflow
    }
    if (count > kMaxBytes) {
      gzclose(f);
      throw Error(fmt::format("{}: IDX dimensions {} announce more than 2 GiB of data", path,
                              fmt::join(a.dims, " x ")));
    }
    expected = 4 + 4 * size_t(rank) + count;
    want = expected + 1;
  }
  gzclose(f);
  if (failed) throw Error(fmt::format("{}: corrupt gzip stream", path));
  if (gz_truncated)
    throw Error(
        fmt::format("{}: truncated gzip stream ({} bytes decompressed before the end of "
                    "the file)",
                    path, bytes.size()));
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
    throw Error(fmt::format("{}: not an unsigned-byte IDX file (bad magic)", path));
  const int rank = static_cast<unsigned char>(bytes[3]);
  if (rank < 1 || rank > 4) throw Error(fmt::format("{}: bad IDX rank {} (1 to 4)", path, rank));
  if (bytes.size() < 4 + 4 * size_t(rank))
    throw Error(fmt::format("{}: truncated IDX header ({} bytes)", path, bytes.size()));
  const size_t off = 4 + 4 * size_t(rank);
  if (bytes.size() > expected)
    throw Error(fmt::format("{}: IDX data is longer than the {} bytes the header announces", path,
                            expected - off));
  if (bytes.size() < expected)
    throw Error(fmt::format("{}: IDX data has {} bytes, header says {} (truncated?)", path,
                            bytes.size() - off, expected - off));
  a.data.assign(bytes.begin() + std::ptrdiff_t(off), bytes.end());
  return a;
}

void find_mnist_files(const std::string& dir, std::string* images, std::string* labels) {
  namespace fs = std::filesystem;
  static const char* kPairs[][2] = {
      {"mnist10k-images-idx3-ubyte", "mnist10k-labels-idx1-ubyte"},
      {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
      {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
      {"mnist100-images-idx3-ubyte", "mnist100-labels-idx1-ubyte"},
  };
  for (const auto& pair : kPairs)
    for (const char* ext : {"", ".gz"}) {
      const fs::path im = fs::path(dir) / (std::string(pair[0]) + ext);
      const fs::path lb = fs::path(dir) / (std::string(pair[1]) + ext);
      if (fs::exists(im) && fs::exists(lb)) {
        *images = im.string();
        *labels = lb.string();
        return;
      }
    }
  throw Error(fmt::format("{}: no MNIST IDX pair found (expected e.g. "
                          "t10k-images-idx3-ubyte[.gz] + t10k-labels-idx1-ubyte[.gz])",
                          dir));
}

}  // namespace rtlgen
