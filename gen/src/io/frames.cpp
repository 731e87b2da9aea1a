#include "rtlgen/frames.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "rtlgen/error.hpp"
#include "rtlgen/idx.hpp"
#include "rtlgen/image.hpp"
#include "rtlgen/npy.hpp"

namespace rtlgen {

namespace fs = std::filesystem;

namespace {

bool is_idx_images(const std::string& path) {
  if (path.find("idx3-ubyte") != std::string::npos) return true;
  if (!fs::is_regular_file(path)) return false;
  std::ifstream f(path, std::ios::binary);
  unsigned char m[4] = {0, 0, 0, 0};
  f.read(reinterpret_cast<char*>(m), 4);
  return f && m[0] == 0 && m[1] == 0 && m[2] == 8 && m[3] == 3;
}

// splitmix64: reproducible random input codes on every platform.
uint64_t next_random(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

static Frames load_file_frames(const Network& net, const FrameSource& src);

Frames load_frames(const Network& net, const FrameSource& src) {
  Frames out;
  if (!src.inputs.empty()) out = load_file_frames(net, src);
  // Random frames follow the file frames (both may be given: real images plus random codes).
  const InputSpec& spec = net.input;
  uint64_t s = src.seed;
  int added = 0;
  for (int i = 0; i < src.random; ++i) {
    if (src.max_frames > 0 && int(out.inputs.size()) >= src.max_frames) break;
    Tensor t(spec.shape, spec.quant.dtype);
    for (auto& v : t.data) v = qmin(spec.quant.dtype) + int32_t(next_random(s) % 256);
    out.inputs.push_back(std::move(t));
    out.labels.push_back(-1);
    ++added;
  }
  if (added) {
    const std::string r = fmt::format("{} random frames (seed {})", added, src.seed);
    out.description = out.description.empty() ? r : out.description + " + " + r;
  }
  return out;
}

static Frames load_file_frames(const Network& net, const FrameSource& src) {
  Frames out;
  const InputSpec& spec = net.input;
  const auto want = [&] { return src.max_frames <= 0 || int(out.inputs.size()) < src.max_frames; };
  const auto add = [&](Tensor t, int label) {
    out.inputs.push_back(std::move(t));
    out.labels.push_back(label);
  };
  const std::string& p = src.inputs;
  if (!fs::exists(p)) throw Error(fmt::format("{}: input frames not found", p));
  if (is_idx_images(p)) {
    const IdxArray images = read_idx(p);
    if (images.dims.size() != 3) throw Error(fmt::format("{}: expected IDX images (N x H x W)", p));
    IdxArray labels;
    if (!src.labels.empty()) {
      labels = read_idx(src.labels);
      if (labels.dims.size() != 1 || labels.dims[0] != images.dims[0])
        throw Error(fmt::format("{}: {} labels for {} images in {}", src.labels,
                                labels.dims.empty() ? 0 : labels.dims[0], images.dims[0], p));
    }
    const int64_t px = int64_t(images.dims[1]) * images.dims[2];
    if (px != spec.shape.elements() || spec.shape.c != 1)
      throw Error(fmt::format("{}: images are {}x{} but the network input is {}", p,
                              images.dims[1], images.dims[2], spec.shape.str()));
    const int offset = spec.quant.dtype == DType::Int8 ? -128 : 0;
    for (int i = src.skip; i < images.dims[0] && want(); ++i) {
      Tensor t(spec.shape, spec.quant.dtype);
      for (int64_t k = 0; k < px; ++k) t.data[k] = images.data[size_t(i) * px + k] + offset;
      add(std::move(t), labels.data.empty() ? -1 : labels.data[i]);
    }
    out.description = fmt::format("{} IDX images of {}{}", out.inputs.size(),
                                  fs::path(p).filename().string(),
                                  offset ? " (q = pixel - 128)" : " (q = pixel)");
    return out;
  }
  std::vector<std::string> files;
  if (fs::is_directory(p)) {
    for (const auto& e : fs::directory_iterator(p)) {
      const auto ext = e.path().extension().string();
      if (ext == ".npy" || ext == ".pgm" || ext == ".bmp") files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw Error(fmt::format("{}: no .npy, .pgm or .bmp files", p));
  } else {
    files.push_back(p);
  }
  for (const auto& file : files) {
    if (!want()) break;
    if (fs::path(file).extension() == ".npy") {
      const NpyArray a = read_npy(file);
      if (a.shape.size() == 4 && a.shape[0] > 1) {  // a batch N x H x W x C
        const int64_t per = int64_t(a.ints.size()) / a.shape[0];
        if (per != spec.shape.elements())
          throw Error(fmt::format("{}: batch items have {} elements, expected {}", file, per,
                                  spec.shape.elements()));
        for (int64_t i = 0; i < a.shape[0] && want(); ++i) {
          Tensor t(spec.shape, spec.quant.dtype);
          for (int64_t k = 0; k < per; ++k) t.data[k] = int32_t(a.ints[i * per + k]);
          add(std::move(t), -1);
        }
        continue;
      }
    }
    add(load_input(file, spec), -1);
  }
  out.description = fmt::format("{} frame(s) from {}", out.inputs.size(), fs::path(p).filename().string());
  return out;
}

}  // namespace rtlgen
