// libFuzzer target: the ONNX importer (rtlgen's own protobuf wire reader and the QDQ/QOperator
// mapping), then what every command does with its result (YAML text, passes, info table).
// Input: the bytes of a .onnx file. Seeds: tests/fuzz/corpus/onnx/ (configs/*.onnx).
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/onnx_import.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/yaml_writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  rtlgen::Network net;
  try {
    rtlgen::ImportNotes notes;
    net = rtlgen::import_onnx_bytes(bytes, "fuzz.onnx", &notes);
  } catch (const rtlgen::Error&) {
    return 0;  // refused with a message: fine
  }
  rtlgen_fuzz::check_and_use_imported(net);
  return 0;
}
