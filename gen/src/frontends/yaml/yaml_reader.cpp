#include <cmath>

#include "frontends/yaml/yaml_parser.hpp"

namespace rtlgen::yaml {

DType parse_dtype(const Reader& r, const YAML::Node& n, const std::string& ctx) {
  const auto s = r.as<std::string>(n, "a dtype", ctx);
  if (s == "uint8") return DType::UInt8;
  if (s == "int8") return DType::Int8;
  r.fail(n, fmt::format("{}dtype must be uint8 or int8, got '{}'", ctx, s));
}

// A scale is stored as float32: it must be positive and finite as a float32 too (no overflow
// to infinity, no underflow to zero).
bool valid_float_scale(double v) {
  return v > 0 && v <= double(std::numeric_limits<float>::max()) && static_cast<float>(v) > 0.0f;
}

float parse_scale(const Reader& r, const YAML::Node& n, const std::string& ctx) {
  const double v = r.as<double>(n, "a scale (positive number)", ctx);
  if (!(v > 0) || !std::isfinite(v))
    r.fail(n, fmt::format("{}scale must be a positive finite number, got {}", ctx, n.Scalar()));
  if (!valid_float_scale(v))
    r.fail(n, fmt::format("{}scale {} is outside the float32 range (about 1.4e-45 to 3.4e38)", ctx,
                          n.Scalar()));
  return static_cast<float>(v);
}

TensorQuant parse_quant(const Reader& r, const YAML::Node& n, DType default_dtype,
                        const std::string& ctx) {
  if (!n.IsMap()) r.fail(n, ctx + "expected {dtype, scale, zero_point}");
  r.check_keys(n, {"dtype", "scale", "zero_point"}, ctx);
  TensorQuant q;
  q.dtype = n["dtype"] ? parse_dtype(r, n["dtype"], ctx) : default_dtype;
  q.scale =
      parse_scale(r, r.require(n, "scale", "the real value of one quantization step", ctx), ctx);
  q.zero_point = n["zero_point"] ? r.as<int32_t>(n["zero_point"], "an integer zero point", ctx) : 0;
  if (q.zero_point < qmin(q.dtype) || q.zero_point > qmax(q.dtype))
    r.fail(n["zero_point"], fmt::format("{}zero_point {} is outside the {} range", ctx,
                                        q.zero_point, to_string(q.dtype)));
  return q;
}

}  // namespace rtlgen::yaml
