// Folding to a device (rtlgen/folding.hpp, "Folding to a device"): the multiplier budget whose
// folding's resource estimate fits the device at the fill.
#include <fmt/format.h>

#include <limits>

#include "rtlgen/device.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/folding.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/resource_model.hpp"

namespace rtlgen {

namespace {

struct Trial {
  FoldReport report;
  DeviceFit fit;
};

// A plain budget: the fastest folding within `budget` multipliers (no utilisation floor).
FoldTarget budget_target(const FoldTarget& base, int64_t budget) {
  FoldTarget t = base;
  t.device.clear();
  t.target_fps = 0;
  t.max_multipliers = budget;
  t.min_utilisation = 0;
  return t;
}

bool has_mvu(const Layer& l) { return l.op == OpKind::Conv2D || l.op == OpKind::FullyConnected; }

// Fits the plan of `net` to the device, moving MAC multipliers of conv2d / fully_connected layers
// from DSP blocks to LUTs (hw: {mult: lut}) while the DSPs are over the fill: each time the
// smallest layer whose multipliers cover the excess, else the largest. A device short of DSPs
// thus keeps the faster folding if its LUTs hold it (the fit then reports the LUTs).
DeviceFit fit_choosing_multipliers(Network& net, const Device& dev, double fill) {
  for (Layer& l : net.layers) l.folding.lut_mult = l.folding.lut_buffer = false;
  for (;;) {
    const HwPlan plan = plan_hardware(net);
    const DeviceFit fit = fit_to_device(estimate_resources(plan), plan, dev);
    const DeviceUse& dsp = fit.rows[2];  // rows: logic, FF, DSP, block RAM, LUT RAM
    const double excess = dsp.used - dsp.limit(fill);
    if (excess <= 0) return fit;
    Layer* pick = nullptr;
    for (Layer& l : net.layers) {
      if (!has_mvu(l) || l.folding.lut_mult) continue;
      const int64_t m = int64_t(l.folding.pe) * l.folding.simd;
      if (!pick) {
        pick = &l;
        continue;
      }
      const int64_t best = int64_t(pick->folding.pe) * pick->folding.simd;
      const bool covers = double(m) >= excess, best_covers = double(best) >= excess;
      if (covers ? (!best_covers || m < best) : (!best_covers && m > best)) pick = &l;
    }
    if (!pick) return fit;
    pick->folding.lut_mult = true;
  }
}

bool over(const DeviceUse& u, double fill) { return u.used > u.limit(fill) + 1e-9; }

// Then moves line buffers (rtlgen_swg) from block RAM to LUT RAM (hw: {buffer: lut}) while the
// block RAM is over the fill: each time the buffer that frees the most block RAM per LUT it
// costs (wide shallow buffers: a 80 x 512-bit one fills 7.5 RAMB36 to 15%), as long as the LUTs
// stay within the fill. A device short of block RAM thus keeps a folding its LUTs can hold.
DeviceFit fit_choosing_buffers(Network& net, const Device& dev, double fill, DeviceFit fit) {
  const auto style = [](const Instance& inst) {
    for (const auto& [k, v] : inst.params)
      if (k == "MEM_STYLE") return v.as_int(-1);
    return int64_t(-1);
  };
  // rows: logic, FF, DSP, block RAM, LUT RAM
  while (over(fit.rows[3], fill)) {
    const HwPlan plan = plan_hardware(net);
    Layer* pick = nullptr;
    double best = 0;
    for (const HwLayer& hw : plan.layers) {
      if (hw.lut_buffer) continue;
      for (const Instance& inst : hw.instances) {
        if (inst.module != "rtlgen_swg" || style(inst) != 0) continue;
        Instance lut = inst;
        for (auto& [k, v] : lut.params)
          if (k == "MEM_STYLE") v = ParamValue::integer(1);
        const ResourceCounts a = estimate_instance(inst, hw.mems);
        const ResourceCounts b = estimate_instance(lut, hw.mems);
        const double saved = a.bram36() - b.bram36();
        const double cost = double(b.lut + 4 * b.lutram - a.lut - 4 * a.lutram);
        if (saved > 0 && saved / std::max(cost, 1.0) > best) {
          best = saved / std::max(cost, 1.0);
          for (Layer& l : net.layers)
            if (l.name == hw.layer) pick = &l;
        }
      }
    }
    if (!pick) break;
    pick->folding.lut_buffer = true;
    const HwPlan moved = plan_hardware(net);
    const DeviceFit next = fit_to_device(estimate_resources(moved), moved, dev);
    if (over(next.rows[0], fill) || over(next.rows[4], fill)) {
      pick->folding.lut_buffer = false;  // the LUTs cannot take it: block RAM stays the limit
      break;
    }
    fit = next;
  }
  return fit;
}

// Folds `net` for `budget` multipliers and fits the estimate of its hardware plan to the device.
Trial try_budget(Network& net, const FoldTarget& base, int64_t budget, const Device& dev) {
  Trial r;
  r.report = choose_folding(net, budget_target(base, budget));
  r.fit = fit_choosing_buffers(net, dev, base.fill, fit_choosing_multipliers(net, dev, base.fill));
  return r;
}

bool folds(Network& net, const FoldTarget& base, int64_t budget) {
  try {
    choose_folding(net, budget_target(base, budget));
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

FoldReport fold_to_device(Network& net, const FoldTarget& target) {
  const Device dev = find_device(target.device);
  const double fill = target.fill;
  if (!(fill > 0.0 && fill <= 1.0))
    throw Error(
        fmt::format("fold: fill {} must lie in (0, 1] (the fraction of each resource of "
                    "the device the design may use)",
                    fill));
  // The fastest folding of all, and the smallest budget that folds at all.
  constexpr int64_t kUnbounded = int64_t(1) << 40;
  const Trial fastest = try_budget(net, target, kUnbounded, dev);
  if (fastest.fit.weight_bits > fastest.fit.on_chip_bits)
    throw Error(fmt::format(
        "fold: the weights and requantizer constants need {} bits on chip, but {} has {} bits "
        "in all ({} block RAM, {} URAM, {} distributed RAM): take a larger device",
        fastest.fit.weight_bits, dev.name, fastest.fit.on_chip_bits, dev.bram_bits(),
        dev.uram_bits(), dev.lutram_bits));
  int64_t lo = 1, hi = fastest.report.multipliers;
  while (lo < hi) {  // smallest budget that folds
    const int64_t mid = lo + (hi - lo) / 2;
    if (folds(net, target, mid))
      hi = mid;
    else
      lo = mid + 1;
  }
  const int64_t min_budget = lo;
  Trial best = try_budget(net, target, min_budget, dev);
  if (!best.fit.fits(fill))
    throw Error(fmt::format(
        "fold: even the smallest folding ({} multipliers, {} cycles per frame) does not fit {} at "
        "fill {}: {} (resource model estimate; a larger device or a higher --fill)",
        best.report.multipliers, best.report.bottleneck_cycles, dev.name, fill,
        best.fit.overflow(fill)));
  if (fastest.fit.fits(fill)) {
    // (again: `net` holds the folding of the last trial, the smallest budget's, not fastest's)
    best = try_budget(net, target, kUnbounded, dev);
  } else {
    // Largest budget in [min_budget, fastest) whose folding fits.
    int64_t good = min_budget, bad = fastest.report.multipliers;
    while (bad - good > 1) {
      const int64_t mid = good + (bad - good) / 2;
      if (try_budget(net, target, mid, dev).fit.fits(fill))
        good = mid;
      else
        bad = mid;
    }
    best = try_budget(net, target, good, dev);  // leaves the winner's folding in `net`
  }
  net.device = target.device;
  best.report.device = dev.name;
  best.report.fill = fill;
  best.report.device_fit = best.fit.summary();
  return best.report;
}

}  // namespace rtlgen
