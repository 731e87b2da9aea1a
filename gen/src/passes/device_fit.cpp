// Whether a resource estimate fits a device, and the smallest device of a vendor it fits.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "rtlgen/error.hpp"
#include "rtlgen/resource_model.hpp"

namespace rtlgen {

namespace {
// The logic model's error bound (LUT and FF within 10% of Yosys on every calibration design,
// tests/test_resource_model*.cpp): a device's LUTs and FFs are filled to at most 1 / 1.1 (91%).
// The seed MobileNet folded to an xc7z020 at fill 1.0 with a LUT estimate 8.2% under Yosys came
// out at 105% of its LUT sites.
constexpr double kLogicError = 0.10;
}  // namespace

// Device fit. Conversions from the 7-series counts (labelled estimates, not calibrated):
//   UltraScale+  the same LUT/FF/DSP/RAMB counts (DSP48E2 and RAMB36E2 are supersets).
//   Cyclone V    ALM = LUT / 1.6 (two 6-LUTs of half-shared inputs per ALM, typical packing);
//                DSP block = DSP48E1 / 2 (two 18x19 multipliers per block); M10K = 2 per RAMB18,
//                4 per RAMB36 (18 / 36 Kb in 10 Kb blocks); MLAB ALMs = LUT RAM LUTs (64 bits
//                each: an MLAB is 640 bits in 10 ALMs).
// ECP5 has a model of its own (estimate_resources(plan, ResourceFamily::Ecp5)): `est` is not
// used for it.
DeviceFit fit_to_device(const ResourceEstimate& est, const HwPlan& plan, const Device& dev) {
  DeviceFit f;
  f.device = dev;
  const ResourceCounts& t = est.total;
  const double lutram_luts = 4.0 * double(t.lutram);  // RAM32M / RAM64M: 4 LUTs each
  const double ramb18_eq = 2.0 * double(t.ramb36) + double(t.ramb18);
  f.weight_bits = plan.rom_bits;
  f.on_chip_bits = dev.bram_bits() + dev.uram_bits() + dev.lutram_bits;
  switch (dev.family) {
    case DeviceFamily::Xilinx7Series:
    case DeviceFamily::XilinxUltraScalePlus:
      f.rows = {{"LUT", double(t.lut) + lutram_luts + double(t.srl), double(dev.luts), kLogicError},
                {"FF", double(t.ff), double(dev.ffs), kLogicError},
                {dev.dsp_name, double(t.dsp), double(dev.dsps)},
                {"RAMB36", t.bram36(), double(dev.bram36)},
                {"LUT RAM", lutram_luts, double(dev.lutram_luts)}};
      if (dev.family == DeviceFamily::XilinxUltraScalePlus) {
        f.converted = true;
        f.note = "7-series counts taken for UltraScale+ (estimate)";
      }
      break;
    case DeviceFamily::IntelCycloneV:
      f.converted = true;
      f.note =
          "converted from 7-series counts: ALM = LUT/1.6, DSP block = DSP48E1/2, M10K = 2 "
          "per RAMB18 (estimate)";
      f.rows = {{"ALM", std::ceil(double(t.lut) / 1.6) + lutram_luts, double(dev.luts)},
                {"register", double(t.ff), double(dev.ffs)},
                {"DSP block", std::ceil(double(t.dsp) / 2.0), double(dev.dsps)},
                {"M10K", 2.0 * ramb18_eq, double(dev.bram_blocks)},
                {"MLAB ALM", lutram_luts, double(dev.lutram_luts)}};
      break;
    case DeviceFamily::LatticeECP5: {
      // The ECP5 model itself (resource_model_ecp5.cpp), not a conversion. LUT4 sites, as
      // nextpnr-ecp5 packs them: logic LUT4s and two per CCU2C; a TRELLIS_DPR16X4 takes a PFU's
      // two RAM slices and the slice of its write port (TRELLIS_RAMW), six of its eight LUT4
      // sites (one per PFU: dev.lutram_luts / 4); and a flip-flop that no LUT4 of its own
      // feeds (from LUT RAM, a multiplier, a block RAM, another flip-flop) gets a pass-through
      // LUT4 beside it: 3,305 of LeNet small's 10,234 and 8,184 of the DS-CNN's 30,475 after
      // packing, so 0.3 per flip-flop. (TRELLIS_COMB + 2 TRELLIS_RAMW against this rule:
      // LeNet small 22,259 / 22,019, DS-CNN 71,326 / 72,294.)
      const ResourceCounts e = estimate_resources(plan, ResourceFamily::Ecp5).total;
      f.rows = {{"LUT4", double(e.lut) + 6.0 * double(e.lutram) + std::round(0.3 * double(e.ff)),
                 double(dev.luts), kLogicError},
                {"TRELLIS_FF", double(e.ff), double(dev.ffs), kLogicError},
                {"MULT18X18D", double(e.dsp), double(dev.dsps)},
                {"DP16KD", double(e.ramb18 + 2 * e.ramb36), double(dev.bram_blocks)},
                {"TRELLIS_DPR16X4", double(e.lutram), double(dev.lutram_luts / 4)}};
      break;
    }
  }
  return f;
}

std::string DeviceFit::overflow(double fill, bool with_model_error) const {
  std::string s;
  for (const auto& r : rows) {
    const double cap = with_model_error ? r.limit(fill) : fill * r.available;
    if (r.used <= cap + 1e-9) continue;
    if (!s.empty()) s += ", ";
    if (cap < fill * r.available - 1e-9)
      s += fmt::format("{} {:.0f} > {:.0f} ({:.0f} less the model's {:.0f}% error)", r.resource,
                       r.used, cap, r.available, 100.0 * r.model_error);
    else if (fill < 1.0)
      s += fmt::format("{} {:.0f} > {:.0f} ({} x {:.0f})", r.resource, r.used, cap, fill,
                       r.available);
    else
      s += fmt::format("{} {:.0f} > {:.0f}", r.resource, r.used, r.available);
  }
  return s;
}

double DeviceFit::worst_fraction() const {
  double w = 0;
  for (const auto& r : rows) w = std::max(w, r.fraction());
  return w;
}

std::string DeviceFit::summary() const {
  std::string s = fmt::format("{} ({})", device.name, device.part);
  for (size_t i = 0; i < rows.size(); ++i)
    s += fmt::format("{} {} {:.0f}/{:.0f} ({:.0f}%)", i ? "," : ":", rows[i].resource, rows[i].used,
                     rows[i].available, 100.0 * rows[i].fraction());
  if (converted) s += " [" + note + "]";
  return s;
}

void require_device_fit(const Network& net, const HwPlan& plan) {
  if (net.device.empty()) return;
  const DeviceFit fit = fit_to_device(estimate_resources(plan), plan, find_device(net.device));
  if (fit.fits(1.0, false)) return;
  throw Error(fmt::format(
      "{}: the design does not fit device '{}' ({}): {} (resource model estimate{}); fold it "
      "for the device (rtlgen fold NET --device {}) or name a larger one",
      net.source.empty() ? net.name : net.source, net.device, fit.device.part,
      fit.overflow(1.0, false), fit.converted ? ", " + fit.note : "", net.device));
}

Device smallest_fitting_device(const ResourceEstimate& est, const HwPlan& plan,
                               const std::string& vendor, bool* fits) {
  std::vector<const Device*> cands;
  for (const auto& d : known_devices())
    if (d.vendor == vendor) cands.push_back(&d);
  std::stable_sort(cands.begin(), cands.end(),
                   [](const Device* a, const Device* b) { return a->luts < b->luts; });
  if (cands.empty()) throw std::logic_error("no device of vendor " + vendor);
  for (const Device* d : cands)
    if (fit_to_device(est, plan, *d).fits(1.0, false)) {
      if (fits) *fits = true;
      return *d;
    }
  if (fits) *fits = false;
  return *cands.back();
}

}  // namespace rtlgen
