// libFuzzer target: the image readers -- binary PGM and BMP (parse_pgm, parse_bmp, and
// load_input as `rtlgen run --input X.pgm|X.bmp` uses them: decode, bilinear resize, convert)
// and MNIST IDX files, plain or gzip-compressed (read_idx, as `rtlgen eval` and `--inputs IDX`
// use it). Input: the bytes of one file. Seeds: tests/fuzz/corpus/image/.
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/idx.hpp"
#include "rtlgen/image.hpp"

namespace {

rtlgen::InputSpec spec(int h, int w, int c, rtlgen::DType t) {
  rtlgen::InputSpec s;
  s.shape = {h, w, c};
  s.quant.dtype = t;
  return s;
}

void check_image(const rtlgen::Image& img) {
  RTLGEN_FUZZ_CHECK(img.h > 0 && img.w > 0 && (img.c == 1 || img.c == 3));
  RTLGEN_FUZZ_CHECK(img.px.size() == size_t(img.h) * size_t(img.w) * size_t(img.c));
  const rtlgen::Image r = rtlgen::resize_bilinear(img, 7, 5);
  RTLGEN_FUZZ_CHECK(r.h == 7 && r.w == 5 && r.c == img.c && r.px.size() == size_t(35 * img.c));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    check_image(rtlgen::parse_pgm(bytes, "fuzz.pgm"));
  } catch (const rtlgen::Error&) {
  }
  try {
    check_image(rtlgen::parse_bmp(bytes, "fuzz.bmp"));
  } catch (const rtlgen::Error&) {
  }
  const auto& dir = rtlgen_fuzz::scratch_dir("image");
  const auto img_path = dir / "input.img";
  rtlgen_fuzz::write_bytes(img_path, bytes.data(), bytes.size());
  for (const auto& s : {spec(28, 28, 1, rtlgen::DType::UInt8), spec(3, 4, 3, rtlgen::DType::Int8)}) {
    try {
      const rtlgen::Tensor t = rtlgen::load_input(img_path.string(), s);
      RTLGEN_FUZZ_CHECK(int64_t(t.data.size()) == s.shape.elements());
      for (int32_t v : t.data)
        RTLGEN_FUZZ_CHECK(v >= rtlgen::qmin(s.quant.dtype) && v <= rtlgen::qmax(s.quant.dtype));
    } catch (const rtlgen::Error&) {
    }
  }
  try {
    const rtlgen::IdxArray a = rtlgen::read_idx(img_path.string());
    size_t n = 1;
    for (int d : a.dims) {
      RTLGEN_FUZZ_CHECK(d > 0);
      n *= size_t(d);
    }
    RTLGEN_FUZZ_CHECK(!a.dims.empty() && n == a.data.size());
  } catch (const rtlgen::Error&) {
  }
  return 0;
}
