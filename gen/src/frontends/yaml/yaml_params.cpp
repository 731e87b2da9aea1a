#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "frontends/yaml/yaml_parser.hpp"
#include "ops/op.hpp"
#include "rtlgen/compile.hpp"
#include "rtlgen/device.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/names.hpp"
#include "rtlgen/npy.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/quant_checks.hpp"
#include "rtlgen/scale_shift.hpp"
#include "rtlgen/yaml_writer.hpp"

namespace rtlgen::yaml {

NpyArray NetworkParser::load_param(const YAML::Node& n, const std::string& ctx) {
  const auto file = r_.as<std::string>(n, "a .npy file name", ctx);
  const fs::path p = params_dir_ / file;
  std::error_code ec;
  if (fs::exists(p, ec) && !fs::is_regular_file(p, ec))
    r_.fail(n, fmt::format("{}parameter file '{}' ({}) is not a regular file (a directory, "
                           "device, FIFO or socket); it must be a .npy file",
                           ctx, file, p.string()));
  if (!fs::is_regular_file(p, ec))
    r_.fail(n,
            fmt::format(
                "{}parameter file '{}' not found (looked in {}){}", ctx, file, params_dir_.string(),
                ec && ec != std::errc::no_such_file_or_directory ? ": " + ec.message() : ""));
  try {
    return read_npy(p.string());
  } catch (const Error& e) {
    r_.fail(n, ctx + e.what());
  }
}

void NetworkParser::parse_weights(const YAML::Node& ln, Layer& l, const std::string& ctx) {
  const auto wn = r_.require(ln, "weights", "the int8/uint8 weight tensor file", ctx);
  const NpyArray w = load_param(wn, ctx);
  if (w.descr == "|i1" || w.descr == "<i1")
    l.weight_dtype = DType::Int8;
  else if (w.descr == "|u1" || w.descr == "<u1")
    l.weight_dtype = DType::UInt8;
  else
    r_.fail(wn, fmt::format("{}weights must be int8 or uint8, the file holds '{}'", ctx, w.descr));
  const OpDef& def = op_def(l.op);  // the weighted op's entry: its weights' layout
  const std::string layout = def.weight_layout();
  const size_t want_rank = size_t(std::count(layout.begin(), layout.end(), ',')) + 1;
  if (w.shape.size() != want_rank)
    r_.fail(wn, fmt::format("{}weights must have rank {} ({}), got rank {}", ctx, want_rank, layout,
                            w.shape.size()));
  if (w.size() == 0)
    r_.fail(wn, fmt::format("{}weights are empty (shape ({}))", ctx, fmt::join(w.shape, ", ")));
  for (auto d : w.shape) l.weight_shape.push_back(static_cast<int32_t>(d));  // < 2^31
  if (const std::string why = def.weight_shape_problem(l); !why.empty()) r_.fail(wn, ctx + why);
  l.weights.assign(w.ints.begin(), w.ints.end());
  const int out_channels = output_channels(l);
  if (ln["bias"] && ln["bias_float"])
    r_.fail(ln["bias_float"], ctx + "give either bias (int32) or bias_float (float32), not both");
  if (ln["bias_float"] && l.requant_mode != RequantMode::ScaleShift)
    r_.fail(ln["bias_float"], ctx +
                                  "bias_float derives the bias from requant: {multiplier, "
                                  "shift}; this layer has no requant:");
  if (ln["bias_gain"] && !ln["bias_float"])
    r_.fail(ln["bias_gain"], ctx + "bias_gain only applies to bias_float");
  if (ln["bias_float"]) {
    const NpyArray b = load_param(ln["bias_float"], ctx);
    if (b.descr != "<f4")
      r_.fail(ln["bias_float"],
              fmt::format("{}bias_float must be float32 (<f4), the file holds '{}'", ctx, b.descr));
    if (b.size() != out_channels)
      r_.fail(ln["bias_float"], fmt::format("{}bias_float has {} values, expected {} (one per "
                                            "output channel)",
                                            ctx, b.size(), out_channels));
    const float gain =
        ln["bias_gain"] ? r_.as<float>(ln["bias_gain"], "a number (the input gain, e.g. 256)", ctx)
                        : 1.0f;
    if (!std::isfinite(gain) || !(gain > 0))
      r_.fail(ln["bias_gain"], ctx + "bias_gain must be a positive finite number");
    for (double v : b.floats) {
      const int64_t q = std::isfinite(v)
                            ? scale_shift_bias(static_cast<float>(v), gain,
                                               l.scale_shift.multiplier, l.scale_shift.shift)
                            : INT64_MAX;
      if (q < INT32_MIN || q > INT32_MAX)
        r_.fail(ln["bias_float"],
                fmt::format("{}bias {} x {} / ({} / 2^{}) does not fit int32", ctx, v, gain,
                            l.scale_shift.multiplier, l.scale_shift.shift));
      l.bias.push_back(static_cast<int32_t>(q));
    }
  } else if (ln["bias"]) {
    const NpyArray b = load_param(ln["bias"], ctx);
    if (b.descr != "<i4")
      r_.fail(ln["bias"],
              fmt::format("{}bias must be int32 (<i4), the file holds '{}'", ctx, b.descr));
    if (b.size() != out_channels)
      r_.fail(ln["bias"], fmt::format("{}bias has {} values, expected {} (one per output "
                                      "channel)",
                                      ctx, b.size(), out_channels));
    l.bias.assign(b.ints.begin(), b.ints.end());
  } else {
    l.bias.assign(out_channels, 0);
  }
  const bool scales_needed = l.requant_mode != RequantMode::ScaleShift;
  if (!scales_needed && !ln["weight_scales"]) {
    // requant: gives the integers; no float scale is needed
  } else if (const auto sn =
                 r_.require(ln, "weight_scales", "float32 scales: a .npy file or a number", ctx);
             sn.IsScalar() && sn.Scalar().size() > 4 &&
             sn.Scalar().substr(sn.Scalar().size() - 4) == ".npy") {
    const NpyArray s = load_param(sn, ctx);
    if (!s.is_float()) r_.fail(sn, ctx + "weight_scales must be float32");
    if (s.size() != 1 && s.size() != out_channels)
      r_.fail(sn, fmt::format("{}weight_scales has {} values, expected 1 or {}", ctx, s.size(),
                              out_channels));
    for (double v : s.floats) {
      if (!valid_float_scale(v))
        r_.fail(sn, fmt::format("{}weight scale {} is not a positive finite float32", ctx, v));
      l.weight_scales.push_back(static_cast<float>(v));
    }
  } else {
    l.weight_scales.push_back(parse_scale(r_, sn, ctx));
  }
  if (ln["weight_zero_point"])
    l.weight_zero_point = r_.as<int32_t>(ln["weight_zero_point"], "an integer", ctx);
  if (l.weight_zero_point < qmin(l.weight_dtype) || l.weight_zero_point > qmax(l.weight_dtype))
    r_.fail(ln["weight_zero_point"], ctx + "weight_zero_point outside the weights' dtype range");
  for (int32_t v : l.weights)
    if (v < qmin(l.weight_dtype) || v > qmax(l.weight_dtype))
      r_.fail(wn, ctx + "weight value outside its dtype range");
}

// requant: {multiplier: S, shift: k, rounding: floor|half_up|half_even, clamp: [lo, hi]}
void NetworkParser::parse_scale_shift(const YAML::Node& n, Layer& l, const std::string& ctx) {
  if (!n.IsMap()) r_.fail(n, ctx + "expected {multiplier, shift, rounding[, clamp]}");
  r_.check_keys(n, {"multiplier", "shift", "rounding", "clamp"}, ctx);
  ScaleShift& ss = l.scale_shift;
  ss.multiplier = r_.as<int64_t>(
      r_.require(n, "multiplier", "the integer S of y = acc*S >> k", ctx), "an integer", ctx);
  if (ss.multiplier == 0 || ss.multiplier <= -(int64_t(1) << 31) ||
      ss.multiplier >= (int64_t(1) << 31))
    r_.fail(n["multiplier"], ctx + "multiplier must be a non-zero integer with |S| < 2^31");
  ss.shift = r_.as<int>(r_.require(n, "shift", "the right shift k of y = acc*S >> k", ctx),
                        "an integer", ctx);
  if (ss.shift < 0 || ss.shift > 62) r_.fail(n["shift"], ctx + "shift must be in 0..62");
  const YAML::Node rn =
      r_.require(n, "rounding", "floor (arithmetic shift), half_up or half_even", ctx);
  const auto rounding = r_.as<std::string>(rn, "a rounding mode", ctx);
  if (rounding == "floor")
    ss.rounding = Rounding::Floor;
  else if (rounding == "half_up")
    ss.rounding = Rounding::HalfUp;
  else if (rounding == "half_even")
    ss.rounding = Rounding::HalfEven;
  else
    r_.fail(rn, fmt::format("{}rounding must be floor (arithmetic shift), half_up or half_even, "
                            "got '{}'",
                            ctx, rounding));
  if (const YAML::Node c = n["clamp"]) {
    if (!c.IsSequence() || c.size() != 2) r_.fail(c, ctx + "clamp must be [min, max]");
    ss.clamp = true;
    ss.clamp_min = r_.as<int32_t>(c[0], "an int32", ctx);
    ss.clamp_max = r_.as<int32_t>(c[1], "an int32", ctx);
    if (ss.clamp_min > ss.clamp_max) r_.fail(c, ctx + "clamp: min must not exceed max");
  }
  l.requant_mode = RequantMode::ScaleShift;
}

// Output of a requant: layer: {dtype: int|uint|int8|uint8, bits: auto|N, zero_point, scale},
// every key optional (default: bits chosen by the interval analysis, zero point 0).
void NetworkParser::parse_scale_shift_output(const YAML::Node& n, Layer& l,
                                             const std::string& ctx) {
  TensorQuant& q = l.out_quant;
  q = TensorQuant{};
  l.out_bits_auto = true;
  if (!n) return;
  if (!n.IsMap()) r_.fail(n, ctx + "expected {dtype, bits, zero_point}");
  r_.check_keys(n, {"dtype", "bits", "zero_point", "scale"}, ctx);
  std::string dtype = "uint";
  if (n["dtype"]) dtype = r_.as<std::string>(n["dtype"], "int, uint, int8 or uint8", ctx);
  if (dtype == "int8" || dtype == "uint8") {
    l.out_bits_auto = false;
    if (n["bits"] && n["bits"].Scalar() != "8")
      r_.fail(n["bits"], ctx + "dtype int8/uint8 has 8 bits; use dtype int/uint with bits: N");
  } else if (dtype != "int" && dtype != "uint") {
    r_.fail(n["dtype"],
            fmt::format("{}dtype must be int, uint, int8 or uint8, got '{}'", ctx, dtype));
  }
  q.dtype = dtype[0] == 'u' ? DType::UInt8 : DType::Int8;
  if (n["bits"] && n["bits"].Scalar() != "auto") {
    l.out_bits_auto = false;
    q.bits = r_.as<int>(n["bits"], "a width in bits or auto", ctx);
    if (q.bits < 8 || q.bits > 32) r_.fail(n["bits"], ctx + "bits must be in 8..32 (or auto)");
  }
  if (n["zero_point"]) {
    q.zero_point = r_.as<int32_t>(n["zero_point"], "an integer zero point", ctx);
    if (q.zero_point < qmin(q) || q.zero_point > qmax(q))
      r_.fail(n["zero_point"], fmt::format("{}zero_point {} is outside the {} range", ctx,
                                           q.zero_point, type_name(q)));
  }
  if (n["scale"]) q.scale = parse_scale(r_, n["scale"], ctx);
}

}  // namespace rtlgen::yaml
