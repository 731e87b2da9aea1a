// Writes a Network as the YAML + .npy description of docs/network-format.md (the inverse of
// load_network_yaml for everything that is not derived by the passes).
#pragma once

#include <string>

#include "rtlgen/ir.hpp"

namespace rtlgen {

struct YamlWriteOptions {
  // Recorded in the params directory's `.rtlgen` marker file (what produced the directory).
  std::string command = "rtlgen";
};

// The YAML text alone (deterministic: the same network gives the same bytes). Parameter files
// are referred to as <layer>_weights.npy, <layer>_bias.npy and <layer>_weight_scales.npy.
std::string network_yaml_text(const Network& net, const std::string& params_dir_name);

// Writes YAML_PATH and the directory <dir of YAML_PATH>/PARAMS_DIR_NAME holding one .npy per
// parameter tensor (weights |i1/|u1 with weight_shape, bias <i4 [O], weight_scales <f4 [1 or O]).
//
// Atomic: the parameter directory is built in a temporary sibling and renamed into place, then
// the YAML is written to a temporary sibling file and renamed; on failure nothing is left
// behind. Refuses (rtlgen::Error) to replace an existing parameter directory that is not empty
// and has no `.rtlgen` marker, or an existing YAML file that rtlgen did not write. The parent
// directory of YAML_PATH is created if needed. PARAMS_DIR_NAME must be a plain directory name.
void write_network_yaml(const Network& net, const std::string& yaml_path,
                        const std::string& params_dir_name, const YamlWriteOptions& opts = {});

// "" when the YAML at YAML_PATH and the parameter directory PARAMS_DIR were written together
// (or the YAML records no digest, e.g. hand-written); else why they do not belong together.
std::string params_pairing_problem(const std::string& yaml_path, const std::string& params_dir);

}  // namespace rtlgen
