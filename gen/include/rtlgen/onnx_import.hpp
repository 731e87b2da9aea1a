// Importer for integer-quantized ONNX models (.onnx protobuf), both quantization styles that
// ONNX Runtime's quantization tools write:
//
// - QDQ: QuantizeLinear/DequantizeLinear pairs around float ops. A group DQ(activation),
//   DQ(constant weights[, int32 bias]) -> Conv/Gemm/MatMul [-> Relu/Clip] -> QuantizeLinear
//   becomes one integer layer, as ONNX Runtime's default graph optimizations fuse it into
//   QLinearConv / QGemm / QLinearMatMul; DQ -> AveragePool -> Q becomes a com.microsoft
//   QLinearAveragePool; MaxPool/Flatten/Reshape with equal input and output quantization run
//   on the integers. The oracle for QDQ models is therefore ONNX Runtime with its default
//   optimizations (docs/onnx-runtime-arithmetic.md).
// - QOperator: QLinearConv, QLinearMatMul, com.microsoft QGemm, QLinearAveragePool,
//   QLinearGlobalAveragePool, MaxPool/Flatten/Reshape on integer tensors.
//
// Layers that requantize get RequantMode::OnnxRuntimeFloat. The reader is rtlgen's own
// bounds-checked protobuf wire-format reader (rtlgen/protobuf_wire.hpp). Anything rtlgen cannot
// map is refused with an rtlgen::Error naming the node (index, name, op type) and the reason.
#pragma once

#include <string>

#include "rtlgen/ir.hpp"
#include "rtlgen/tflite_import.hpp"

namespace rtlgen {

Network import_onnx(const std::string& path, ImportNotes* notes = nullptr);
Network import_onnx_bytes(const std::string& bytes, const std::string& name,
                          ImportNotes* notes = nullptr);

}  // namespace rtlgen
