#include "rtlgen/image.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"
#include "rtlgen/npy.hpp"

namespace rtlgen {
namespace {

std::string slurp(const std::string& path) {
  require_regular_file(path, "an image file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(fmt::format("{}: cannot open file", path));
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

uint32_t le32(const std::string& b, size_t off) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(static_cast<unsigned char>(b[off + i])) << (8 * i);
  return v;
}
uint16_t le16(const std::string& b, size_t off) {
  return uint16_t(static_cast<unsigned char>(b[off]) | (static_cast<unsigned char>(b[off + 1]) << 8));
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Image parse_pgm(const std::string& b, const std::string& name) {
  std::istringstream in(b);
  std::string magic;
  in >> magic;
  if (magic != "P5") throw Error(fmt::format("{}: not a binary PGM (expected 'P5' magic)", name));
  auto next_int = [&](const char* what) {
    in >> std::ws;
    while (in.peek() == '#') {
      std::string comment;
      std::getline(in, comment);
      in >> std::ws;
    }
    long v = -1;
    if (!(in >> v))
      throw Error(fmt::format("{}: bad PGM header: the {} is not a number", name, what));
    if (v <= 0 || v > 65535)
      throw Error(fmt::format("{}: bad PGM header: {} {} (1 to 65535)", name, what, v));
    return int(v);
  };
  Image img;
  img.w = next_int("width");
  img.h = next_int("height");
  const int maxval = next_int("maxval");
  if (maxval != 255) throw Error(fmt::format("{}: only 8-bit PGM (maxval 255) is supported", name));
  in.get();  // the single whitespace after maxval
  img.c = 1;
  const size_t off = static_cast<size_t>(in.tellg());
  const size_t n = size_t(img.w) * img.h;
  if (b.size() < off || b.size() - off < n)
    throw Error(fmt::format("{}: truncated PGM: {}x{} needs {} bytes of pixels", name, img.w,
                            img.h, n));
  img.px.assign(b.begin() + off, b.begin() + off + n);
  return img;
}

Image parse_bmp(const std::string& b, const std::string& name) {
  if (b.size() < 54 || b[0] != 'B' || b[1] != 'M')
    throw Error(fmt::format("{}: not a BMP file (missing 'BM' header)", name));
  const uint32_t data_off = le32(b, 10);
  const uint32_t info_size = le32(b, 14);  // 40: BITMAPINFOHEADER, 108/124: V4/V5
  if (info_size < 40 || info_size > b.size() - 14)
    throw Error(fmt::format("{}: unsupported BMP header (info header size {}; expected 40, 108 or "
                            "124 bytes)",
                            name, info_size));
  const int64_t width = static_cast<int32_t>(le32(b, 18));
  const int64_t height_signed = static_cast<int32_t>(le32(b, 22));
  const uint16_t bpp = le16(b, 28);
  const uint32_t compression = le32(b, 30);
  if (compression != 0 && compression != 3)
    throw Error(fmt::format("{}: compressed BMP (mode {}) is not supported", name, compression));
  if (bpp != 24 && bpp != 32 && bpp != 8)
    throw Error(fmt::format("{}: {}-bit BMP is not supported (use 8, 24 or 32 bits)", name, bpp));
  if (compression == 3) {
    // BI_BITFIELDS: only the usual X8R8G8B8 layout (the masks follow a 40-byte header, or are
    // part of a V4/V5 header at the same offset).
    const bool masks_ok = bpp == 32 && b.size() >= 66 && le32(b, 54) == 0x00FF0000u &&
                          le32(b, 58) == 0x0000FF00u && le32(b, 62) == 0x000000FFu;
    if (!masks_ok)
      throw Error(fmt::format("{}: BMP channel masks other than 8-bit B, G, R in a 32-bit pixel "
                              "are not supported",
                              name));
  }
  if (width <= 0 || width > 65535 || height_signed == 0 || height_signed < -65535 ||
      height_signed > 65535)
    throw Error(fmt::format("{}: bad BMP dimensions {}x{}", name, width, height_signed));
  const bool bottom_up = height_signed > 0;
  Image img;
  img.w = int(width);
  img.h = int(height_signed < 0 ? -height_signed : height_signed);
  img.c = bpp == 8 ? 1 : 3;
  // 8-bit: palette indices. A gray palette (R = G = B) gives a gray image, any other an RGB one.
  std::vector<uint8_t> palette;  // RGB per index
  if (bpp == 8) {
    const uint32_t used = le32(b, 46);
    if (used > 256)
      throw Error(fmt::format("{}: 8-bit BMP with {} palette colours (at most 256)", name, used));
    const size_t entries = used == 0 ? 256 : used;
    const size_t pal_off = 14 + size_t(info_size);
    if (b.size() - pal_off < entries * 4 || (data_off >= pal_off && data_off - pal_off < entries * 4))
      throw Error(fmt::format("{}: truncated BMP palette ({} colours)", name, entries));
    palette.assign(256 * 3, 0);
    for (size_t i = 0; i < entries; ++i)
      for (int ch = 0; ch < 3; ++ch)
        palette[i * 3 + size_t(ch)] = static_cast<unsigned char>(b[pal_off + i * 4 + size_t(2 - ch)]);
    for (size_t i = 0; i < 256; ++i)
      if (palette[i * 3] != palette[i * 3 + 1] || palette[i * 3] != palette[i * 3 + 2]) img.c = 3;
  }
  const size_t bytes_pp = bpp / 8;
  const size_t row_bytes = (size_t(width) * bytes_pp + 3) / 4 * 4;
  if (data_off > b.size() || b.size() - data_off < row_bytes * img.h)
    throw Error(fmt::format("{}: truncated BMP pixel data: {}x{} at {} bits needs {} bytes from "
                            "offset {}, the file has {} bytes",
                            name, img.w, img.h, bpp, row_bytes * img.h, data_off, b.size()));
  img.px.resize(size_t(img.w) * img.h * img.c);
  for (int y = 0; y < img.h; ++y) {
    const size_t src_row = data_off + row_bytes * size_t(bottom_up ? img.h - 1 - y : y);
    for (int x = 0; x < img.w; ++x) {
      const auto* p = reinterpret_cast<const unsigned char*>(b.data() + src_row + x * bytes_pp);
      uint8_t* d = &img.px[(size_t(y) * img.w + x) * img.c];
      if (bpp == 8) {
        for (int ch = 0; ch < img.c; ++ch) d[ch] = palette[size_t(p[0]) * 3 + size_t(ch)];
      } else {
        d[0] = p[2];  // BMP stores B, G, R
        d[1] = p[1];
        d[2] = p[0];
      }
    }
  }
  return img;
}

Image read_image(const std::string& path) {
  const std::string b = slurp(path);
  if (b.size() >= 2 && b[0] == 'B' && b[1] == 'M') return parse_bmp(b, path);
  if (b.size() >= 2 && b[0] == 'P' && b[1] == '5') return parse_pgm(b, path);
  throw Error(fmt::format("{}: unknown image format (supported: 8-bit binary PGM, BMP)", path));
}

Image resize_bilinear(const Image& img, int h, int w) {
  if (img.h == h && img.w == w) return img;
  Image out;
  out.h = h;
  out.w = w;
  out.c = img.c;
  out.px.resize(size_t(h) * w * img.c);
  const double sy = double(img.h) / h, sx = double(img.w) / w;
  for (int y = 0; y < h; ++y) {
    const double fy = std::max(0.0, (y + 0.5) * sy - 0.5);
    const int y0 = std::min(int(fy), img.h - 1), y1 = std::min(y0 + 1, img.h - 1);
    const double wy = fy - y0;
    for (int x = 0; x < w; ++x) {
      const double fx = std::max(0.0, (x + 0.5) * sx - 0.5);
      const int x0 = std::min(int(fx), img.w - 1), x1 = std::min(x0 + 1, img.w - 1);
      const double wx = fx - x0;
      for (int c = 0; c < img.c; ++c) {
        auto at = [&](int yy, int xx) { return double(img.px[(size_t(yy) * img.w + xx) * img.c + c]); };
        const double v = (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x1)) +
                         wy * ((1 - wx) * at(y1, x0) + wx * at(y1, x1));
        out.px[(size_t(y) * w + x) * img.c + c] = uint8_t(std::min(255.0, std::floor(v + 0.5)));
      }
    }
  }
  return out;
}

Tensor load_input(const std::string& path, const InputSpec& spec) {
  Tensor t(spec.shape, spec.quant.dtype);
  if (ends_with(path, ".npy")) {
    const NpyArray a = read_npy(path);
    // Any rank whose elements come in the network's H, W, C order: the dimensions other than 1
    // equal the network's (e.g. (1, 640) or (640,) for a 1x1x640 input, (28, 28) for 28x28x1),
    // or one flat vector of H*W*C elements in HWC order. Channels-first (3, 32, 32) is refused.
    const auto squeeze = [](std::vector<int64_t> d) {
      d.erase(std::remove(d.begin(), d.end(), int64_t(1)), d.end());
      return d;
    };
    const std::vector<int64_t> got = squeeze(a.shape);
    const std::vector<int64_t> want = squeeze({spec.shape.h, spec.shape.w, spec.shape.c});
    const int64_t n = spec.shape.elements();
    if (got != want && !(got.size() == 1 && got[0] == n))
      throw Error(fmt::format(
          "{}: input .npy must have shape ({}, {}, {}) or (1, {}, {}, {}), or another shape with "
          "the same {} elements in the same order (H, W, C; dimensions of 1 may be added or "
          "dropped, or one flat vector); it has ({})",
          path, spec.shape.h, spec.shape.w, spec.shape.c, spec.shape.h, spec.shape.w,
          spec.shape.c, n, fmt::join(a.shape, ", ")));
    const bool u8 = a.descr == "|u1" || a.descr == "<u1";
    const bool i8 = a.descr == "|i1" || a.descr == "<i1";
    if ((spec.quant.dtype == DType::UInt8 && !u8) || (spec.quant.dtype == DType::Int8 && !i8))
      throw Error(fmt::format("{}: input .npy holds '{}' but the network input is {}", path,
                              a.descr, to_string(spec.quant.dtype)));
    t.data.assign(a.ints.begin(), a.ints.end());
    return t;
  }
  Image img = read_image(path);
  if (img.c == 3 && spec.shape.c == 1)
    throw Error(fmt::format("{}: colour image but the network takes 1 channel; convert it to "
                            "gray first",
                            path));
  if (spec.shape.c != 1 && spec.shape.c != 3)
    throw Error(fmt::format("{}: images can feed 1- or 3-channel inputs, the network has {}",
                            path, spec.shape.c));
  img = resize_bilinear(img, spec.shape.h, spec.shape.w);
  const int offset = spec.quant.dtype == DType::Int8 ? -128 : 0;
  for (int y = 0; y < spec.shape.h; ++y)
    for (int x = 0; x < spec.shape.w; ++x)
      for (int c = 0; c < spec.shape.c; ++c)
        t.at(y, x, c) = img.px[(size_t(y) * img.w + x) * img.c + (img.c == 1 ? 0 : c)] + offset;
  return t;
}

}  // namespace rtlgen
