#include "rtlgen/idx.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <filesystem>

#include "rtlgen/error.hpp"

namespace rtlgen {

IdxArray read_idx(const std::string& path) {
  // gzopen reads plain files transparently, so one path handles .gz and raw IDX.
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(fmt::format("{}: cannot open IDX file", path));
  std::string bytes;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) bytes.append(buf, size_t(n));
  const bool failed = n < 0;
  gzclose(f);
  if (failed) throw Error(fmt::format("{}: corrupt gzip stream", path));
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
    throw Error(fmt::format("{}: not an unsigned-byte IDX file (bad magic)", path));
  const int rank = static_cast<unsigned char>(bytes[3]);
  if (rank < 1 || rank > 4 || bytes.size() < 4 + 4 * size_t(rank))
    throw Error(fmt::format("{}: bad IDX rank {}", path, rank));
  IdxArray a;
  size_t count = 1;
  for (int i = 0; i < rank; ++i) {
    uint32_t d = 0;
    for (int b = 0; b < 4; ++b) d = (d << 8) | static_cast<unsigned char>(bytes[4 + 4 * i + b]);
    if (d == 0 || d > (1u << 24)) throw Error(fmt::format("{}: bad IDX dimension {}", path, d));
    a.dims.push_back(int(d));
    count *= d;
  }
  const size_t off = 4 + 4 * size_t(rank);
  if (bytes.size() - off != count)
    throw Error(fmt::format("{}: IDX data has {} bytes, header says {}", path, bytes.size() - off,
                            count));
  a.data.assign(bytes.begin() + off, bytes.end());
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
