// Importer for integer-quantized TensorFlow Lite models (.tflite FlatBuffers).
//
// The file's structure is checked before any field is read (tfl::find_structure_error, then
// the FlatBuffers verifier), then semantically (indices in range, constant buffer sizes,
// quantization vectors, one subgraph, batch 1) and mapped operator by operator onto
// rtlgen::Network. Every operator is either mapped, folded (a standalone RELU/RELU6/RELU_N1_TO_1
// into its producer) or dropped at an edge (QUANTIZE at the input, DEQUANTIZE at the output);
// anything else is refused with an rtlgen::Error naming the operator index, its type and its
// tensors. Nothing is skipped silently. Every error names the byte offset in the file and the
// table or field ("FILE: byte 1234: Model.subgraphs[0].operators[3].inputs: ...", or the
// operator's table for operator errors).
//
// Supported operators: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D,
// MAX_POOL_2D, MEAN (axes 1,2), ADD (equal shapes), PAD / PADV2 (H and W only), RESHAPE,
// SQUEEZE, SOFTMAX, RELU / RELU6 / RELU_N1_TO_1 (folded), QUANTIZE (input edge),
// DEQUANTIZE (output edge).
//
// Data types: uint8 activations with per-tensor uint8 weights (any weight zero point), or int8
// activations with int8 weights (per-channel along the output-channel dimension or per-tensor,
// zero point 0). Bias int32.
//
// Edge conversions:
// - float32 -> QUANTIZE -> int8/uint8 at the input: the QUANTIZE is dropped; the network input
//   is the quantized tensor (feed already quantized pixels).
// - uint8 input -> QUANTIZE -> int8 with equal scale and zero points differing by 128: the
//   network input is the int8 tensor; a caller holding uint8 pixels subtracts 128 (equivalently
//   flips bit 7). The conversion is reported in ImportNotes.
// - DEQUANTIZE to a float output: dropped; the network output is the last quantized tensor.
//
// Derived fields (out_shape is filled from the model for reference, but pads, requant,
// act_min/act_max, accumulator widths, folding...) are left to the passes.
#pragma once

#include <string>
#include <vector>

#include "rtlgen/import_naming.hpp"  // sanitize_identifier, imported_layer_prefix
#include "rtlgen/ir.hpp"

namespace rtlgen {

// Human-readable remarks about conversions the importer made that a user should know about
// (dropped edge QUANTIZE/DEQUANTIZE, folded activations, uint8->int8 input conversion).
struct ImportNotes {
  std::vector<std::string> lines;
};

// Reads and imports PATH. Throws rtlgen::Error (message starts with PATH) when the file cannot
// be read, is not a valid .tflite FlatBuffer, or uses anything rtlgen does not support.
Network import_tflite(const std::string& path, ImportNotes* notes = nullptr);

// Imports from bytes already in memory (e.g. for fuzzing). `name` is used in error messages,
// for Network::source and, via its file stem, for Network::name.
Network import_tflite_bytes(const std::string& bytes, const std::string& name,
                            ImportNotes* notes = nullptr);

}  // namespace rtlgen
