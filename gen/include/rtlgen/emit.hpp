// Emitters: print a HwPlan as Verilog, memory files, file lists and reports. No decisions here.
#pragma once

#include <map>
#include <string>

#include "rtlgen/hw_plan.hpp"
#include "rtlgen/ir.hpp"

namespace rtlgen {

// Each hardware layer's output stream, exposed as port tap<i>_* of the simulation wrapper.
struct Tap {
  std::string layer;
  int offset = 0;  // running bit offset (for reports)
  int width = 0;   // tdata bits
};
std::vector<Tap> tap_layout(const HwPlan& plan);

std::string emit_top(const HwPlan& plan, const std::string& command);
// Simulation-only wrapper exposing every layer's output stream (hierarchical references).
std::string emit_sim_wrapper(const HwPlan& plan, const std::string& command);
// C++ header listing the wrapper's tap ports (for the network simulation harness).
std::string emit_sim_taps_header(const HwPlan& plan, const std::string& command);
std::string emit_report_json(const Network& net, const HwPlan& plan, const std::string& command);
std::string emit_report_text(const Network& net, const HwPlan& plan);

// Block diagram (Graphviz): one box per stage with folding, cycles per frame and the resource
// estimate, the bottleneck marked. render_svg runs Graphviz `dot` ("" when it is not installed).
std::string emit_diagram_dot(const Network& net, const HwPlan& plan, const std::string& command);
std::string render_svg(const std::string& dot_text);

// Every file of an output directory (relative path -> contents) for `rtlgen generate`.
std::map<std::string, std::string> generate_files(const Network& net, const HwPlan& plan,
                                                  const std::string& command);

// Writes `files` as directory `out` atomically: into a temporary sibling first, then renamed
// into place. Refuses to replace an existing non-empty directory that rtlgen did not write.
void write_output_dir(const std::string& out, const std::map<std::string, std::string>& files,
                      const std::string& command);

// Directory holding rtl_templates/*.v (install_paths(); env RTLGEN_TEMPLATES overrides it).
std::string template_dir();

}  // namespace rtlgen
