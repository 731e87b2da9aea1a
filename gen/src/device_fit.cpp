// Whether a resource estimate fits a device, and the smallest device of a vendor it fits.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "rtlgen/error.hpp"
#include "rtlgen/resource_model.hpp"

namespace rtlgen {

// Device fit. Conversions from the 7-series counts (labelled estimates, not calibrated):
//   UltraScale+  the same LUT/FF/DSP/RAMB counts (DSP48E2 and RAMB36E2 are supersets).
//   Cyclone V    ALM = LUT / 1.6 (two 6-LUTs of half-shared inputs per ALM, typical packing);
//                DSP block = DSP48E1 / 2 (two 18x19 multipliers per block); M10K = 2 per RAMB18,
//                4 per RAMB36 (18 / 36 Kb in 10 Kb blocks); MLAB ALMs = LUT RAM LUTs (64 bits
//                each: an MLAB is 640 bits in 10 ALMs).
//   ECP5         LUT4 = 2 x LUT6; FF as counted; MULT18X18D = DSP48E1; DP16KD = 1 per RAMB18,
//                2 per RAMB36; LUT RAM: 4 LUT4 (16 bits each) per 7-series LUT RAM LUT (64).
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
      f.rows = {{"LUT", double(t.lut) + lutram_luts, double(dev.luts)},
                {"FF", double(t.ff), double(dev.ffs)},
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
    case DeviceFamily::LatticeECP5:
      f.converted = true;
      f.note =
          "converted from 7-series counts: LUT4 = 2 x LUT6, MULT18X18D = DSP48E1, DP16KD = "
          "1 per RAMB18 (estimate)";
      f.rows = {{"LUT4", 2.0 * double(t.lut) + 4.0 * lutram_luts, double(dev.luts)},
                {"TRELLIS_FF", double(t.ff), double(dev.ffs)},
                {"MULT18X18D", double(t.dsp), double(dev.dsps)},
                {"DP16KD", ramb18_eq, double(dev.bram_blocks)},
                {"LUT RAM LUT4", lutram_luts * 4.0, double(dev.lutram_luts)}};
      break;
  }
  return f;
}

std::string DeviceFit::overflow(double fill) const {
  std::string s;
  for (const auto& r : rows) {
    const double cap = fill * r.available;
    if (r.used <= cap + 1e-9) continue;
    if (!s.empty()) s += ", ";
    s += fill < 1.0 ? fmt::format("{} {:.0f} > {:.0f} ({} x {:.0f})", r.resource, r.used, cap, fill,
                                  r.available)
                    : fmt::format("{} {:.0f} > {:.0f}", r.resource, r.used, r.available);
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
  if (fit.fits(1.0)) return;
  throw Error(fmt::format(
      "{}: the design does not fit device '{}' ({}): {} (resource model estimate{}); fold it "
      "for the device (rtlgen fold NET --device {}) or name a larger one",
      net.source.empty() ? net.name : net.source, net.device, fit.device.part, fit.overflow(1.0),
      fit.converted ? ", " + fit.note : "", net.device));
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
    if (fit_to_device(est, plan, *d).fits(1.0)) {
      if (fits) *fits = true;
      return *d;
    }
  if (fits) *fits = false;
  return *cands.back();
}

}  // namespace rtlgen
