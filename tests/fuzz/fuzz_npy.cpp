// libFuzzer target: the .npy reader (parse_npy, and read_npy + load_input as `rtlgen run
// --input X.npy` uses them). Input: the bytes of a .npy file. Seeds: tests/fuzz/corpus/npy/.
#include <cmath>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/image.hpp"
#include "rtlgen/npy.hpp"

namespace {

// Two network inputs the file is offered to: uint8 28x28x1 (LeNet) and int8 4x4x3.
rtlgen::InputSpec spec(int h, int w, int c, rtlgen::DType t) {
  rtlgen::InputSpec s;
  s.shape = {h, w, c};
  s.quant.dtype = t;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const rtlgen::NpyArray a = rtlgen::parse_npy(bytes, "fuzz.npy");
    // What was read is what the header promised: one value per element of the shape.
    int64_t n = 1;
    for (int64_t d : a.shape) {
      RTLGEN_FUZZ_CHECK(d >= 0);
      n *= d;
    }
    RTLGEN_FUZZ_CHECK(n == a.size());
    RTLGEN_FUZZ_CHECK(int64_t(a.is_float() ? a.floats.size() : a.ints.size()) == n);
    RTLGEN_FUZZ_CHECK((a.is_float() ? a.ints.size() : a.floats.size()) == 0);
    // The writer reads back what it wrote, for the dtypes it writes.
    if (a.descr == "|u1" || a.descr == "|i1" || a.descr == "<i4" || a.descr == "<f4") {
      const rtlgen::NpyArray b =
          rtlgen::parse_npy(rtlgen::encode_npy(a.descr, a.shape, a.ints, a.floats), "again.npy");
      RTLGEN_FUZZ_CHECK(b.descr == a.descr && b.shape == a.shape && b.ints == a.ints);
      RTLGEN_FUZZ_CHECK(b.floats.size() == a.floats.size());
      for (size_t i = 0; i < a.floats.size(); ++i)
        RTLGEN_FUZZ_CHECK(std::isnan(a.floats[i]) ? std::isnan(b.floats[i])
                                                  : a.floats[i] == b.floats[i]);
    }
  } catch (const rtlgen::Error&) {
  }
  // The file path of `rtlgen run --input X.npy`.
  const auto path = rtlgen_fuzz::scratch_dir("npy") / "input.npy";
  rtlgen_fuzz::write_bytes(path, bytes.data(), bytes.size());
  for (const auto& s : {spec(28, 28, 1, rtlgen::DType::UInt8), spec(4, 4, 3, rtlgen::DType::Int8)}) {
    try {
      const rtlgen::Tensor t = rtlgen::load_input(path.string(), s);
      RTLGEN_FUZZ_CHECK(int64_t(t.data.size()) == s.shape.elements());
      for (int32_t v : t.data)
        RTLGEN_FUZZ_CHECK(v >= rtlgen::qmin(s.quant.dtype) && v <= rtlgen::qmax(s.quant.dtype));
    } catch (const rtlgen::Error&) {
    }
  }
  return 0;
}
