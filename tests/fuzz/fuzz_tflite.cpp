// libFuzzer target: the .tflite importer, then what every command does with its result
// (`rtlgen import`: the YAML text; `rtlgen info/run/generate`: the passes and the info table).
// Input: the bytes of a .tflite file. Seeds: tests/fuzz/corpus/tflite/ (configs/*.tflite).
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/tflite_import.hpp"
#include "rtlgen/yaml_writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  rtlgen::Network net;
  try {
    rtlgen::ImportNotes notes;
    net = rtlgen::import_tflite_bytes(bytes, "fuzz.tflite", &notes);
  } catch (const rtlgen::Error&) {
    return 0;  // refused with a message: fine
  }
  rtlgen_fuzz::check_and_use_imported(net);
  return 0;
}
