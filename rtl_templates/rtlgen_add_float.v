/*

rtlgen: elementwise ADD, ONNX Runtime's float32 QLinearAdd in integer logic

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Elementwise ADD of two int8 / uint8 streams bit-exact with ONNX Runtime's x86 QLinearAdd
 * (com.microsoft, also what a QDQ Add is fused into; rtlgen::golden::onnxruntime_add,
 * docs/onnx-runtime-arithmetic.md):
 *
 *   a' = a + OFFSET, b' = b + OFFSET        (OFFSET 128: an int8 QDQ graph run as uint8)
 *   v  = fma(a', ra, fma(b', rb, F))        (float32 fused multiply-adds, round half even)
 *   y  = clamp(clamp(rne(v), RUN_MIN, RUN_MAX) - OFFSET, ACT_MIN, ACT_MAX)
 *
 * computed exactly with integers: ra = A_MANT * 2^ea, rb = B_MANT * 2^eb, F = F_MANT * 2^ef
 * (24-bit significands; the generator passes the exponent differences as shifts), so
 *   inner = r24(b' * B_MANT << SH_B + F_MANT << SH_F)     in units 2^u1, u1 = min(eb, ef)
 *   v     = r24(a' * A_MANT << SH_A + inner << SH_I)      in units 2^u2, u2 = min(ea, u1)
 *   rne(v) = v rounded half to even at bit K = -u2
 * where r24 rounds an integer to its 24 leading bits, half to even (float32 rounding; on two's
 * complement as in rtlgen_avgpool_float). W bits hold every intermediate (the generator sizes
 * it).
 *
 * Streams: s_a_axis and s_b_axis carry N elements per beat (element i at tdata[i*8 +: 8]) and
 * are joined beat by beat (s_a_axis_tready = ce && s_b_axis_tvalid and vice versa), as in
 * rtlgen_add. Pipeline: 8 stages (offset; b' product; inner sum, a' product; r24; outer sum;
 * r24; rne; clamps), 1 beat per cycle, one clock enable ce = !m_axis_tvalid || m_axis_tready.
 * Latency 8 cycles from the input handshake to the output beat.
 */
module rtlgen_add_float #
(
    // Elements per beat, all three streams (>= 1)
    parameter N = 1,
    // Element type of the inputs and the output: 1 = int8, 0 = uint8
    parameter SIGNED = 1,
    // Added to the inputs, subtracted from the result (0 or 128)
    parameter OFFSET = 0,
    // Significands (with the hidden bit) of ra and rb: 2^23 .. 2^24-1
    parameter A_MANT = 24'h800000,
    parameter B_MANT = 24'h800000,
    // Signed significand of F (|F_MANT| < 2^24, 0 for F = 0)
    parameter F_MANT = 0,
    // Alignment shifts (>= 0)
    parameter SH_A = 0,
    parameter SH_B = 0,
    parameter SH_F = 0,
    parameter SH_I = 0,
    // Rounding bit of rne (>= 1)
    parameter K = 23,
    // Width of the intermediates in bits
    parameter W = 48,
    // Saturation of the run type (int8: -128..127, uint8 or OFFSET 128: 0..255)
    parameter RUN_MIN = -128,
    parameter RUN_MAX = 127,
    // Clamp of the result (activation range, inside the element type)
    parameter ACT_MIN = -128,
    parameter ACT_MAX = 127
)
(
    input  wire                 clk,
    input  wire                 rst,

    input  wire [N*8-1:0]       s_a_axis_tdata,
    input  wire                 s_a_axis_tvalid,
    output wire                 s_a_axis_tready,

    input  wire [N*8-1:0]       s_b_axis_tdata,
    input  wire                 s_b_axis_tvalid,
    output wire                 s_b_axis_tready,

    output wire [N*8-1:0]       m_axis_tdata,
    output wire                 m_axis_tvalid,
    input  wire                 m_axis_tready
);

localparam STAGES = 8;

/* verilator lint_off WIDTH */
localparam signed [10:0] OFFSET11 = OFFSET;
localparam signed [W-1:0] A_MANT_W = A_MANT;
localparam signed [W-1:0] B_MANT_W = B_MANT;
localparam signed [W-1:0] F_MANT_W = F_MANT;
localparam signed [W-1:0] RUN_MIN_W = RUN_MIN;
localparam signed [W-1:0] RUN_MAX_W = RUN_MAX;
localparam signed [11:0] ACT_MIN12 = ACT_MIN;
localparam signed [11:0] ACT_MAX12 = ACT_MAX;
/* verilator lint_on WIDTH */
localparam signed [W-1:0] F_TERM = F_MANT_W <<< SH_F;
localparam [W-1:0] ONE = {{(W-1){1'b0}}, 1'b1};
localparam [W-1:0] K_UNIT = ONE << K;
localparam [W-1:0] K_HALF = ONE << (K - 1);

initial begin
`ifndef SYNTHESIS
    if (N < 1) begin
        $error("%m: N (%0d) must be >= 1", N);
        $finish;
    end
    if (K < 1 || K >= W - 2 || W < 36) begin
        $error("%m: K (%0d) must be 1..W-3 and W (%0d) >= 36", K, W);
        $finish;
    end
    if (OFFSET != 0 && OFFSET != 128) begin
        $error("%m: OFFSET (%0d) must be 0 or 128", OFFSET);
        $finish;
    end
`endif
end

// Float32 rounding of an integer (24 leading bits, half to even), on two's complement: see
// rtlgen_avgpool_float.
function [W-1:0] r24;
    input [W-1:0] v;
    reg   [W-1:0] u, unit, low, half;
    integer i, d;
    begin
        u = v[W-1] ? ~v : v;
        d = 0;
        for (i = 24; i < W; i = i + 1) begin
            if (u[i]) d = i - 23;
        end
        unit = ONE << d;
        low = v & (unit - ONE);
        half = unit >> 1;
        if (d != 0 && (low > half || (low == half && (v & unit) != {W{1'b0}})))
            r24 = (v & ~(unit - ONE)) + unit;
        else
            r24 = v & ~(unit - ONE);
    end
endfunction

reg [STAGES-1:0] valid_pipe = {STAGES{1'b0}};
wire ce = !valid_pipe[STAGES-1] || m_axis_tready;
wire in_valid = s_a_axis_tvalid && s_b_axis_tvalid;

always @(posedge clk) begin
    if (ce) begin
        valid_pipe <= {valid_pipe[STAGES-2:0], in_valid};
    end
    if (rst) begin
        valid_pipe <= {STAGES{1'b0}};
    end
end

assign s_a_axis_tready = ce && s_b_axis_tvalid;
assign s_b_axis_tready = ce && s_a_axis_tvalid;
assign m_axis_tvalid = valid_pipe[STAGES-1];

genvar p;
generate
    for (p = 0; p < N; p = p + 1) begin : g_lane
        wire [7:0] a = s_a_axis_tdata[p*8 +: 8];
        wire [7:0] b = s_b_axis_tdata[p*8 +: 8];
        wire signed [10:0] a_ext = {{3{SIGNED != 0 && a[7]}}, a};
        wire signed [10:0] b_ext = {{3{SIGNED != 0 && b[7]}}, b};
        reg  signed [10:0] a1 = 11'sd0, b1 = 11'sd0, a2 = 11'sd0;
        reg  signed [W-1:0] pb2 = {W{1'b0}}, pa3 = {W{1'b0}}, pa4 = {W{1'b0}};
        reg  signed [W-1:0] x3 = {W{1'b0}}, i4 = {W{1'b0}}, x5 = {W{1'b0}}, v6 = {W{1'b0}};
        reg  signed [11:0] q7 = 12'sd0;
        reg  [7:0] y8 = 8'd0;

        // rne at bit K of v6, then the run type's saturation
        wire signed [W-1:0] q = v6 >>> K;
        wire [W-1:0] rem = v6 & (K_UNIT - ONE);
        wire up = rem > K_HALF || (rem == K_HALF && q[0]);
        wire signed [W-1:0] rounded = q + (up ? ONE : {W{1'b0}});
        // the saturated run-type value (-128..255) and the clamped result fit 12 bits
        /* verilator lint_off UNUSEDSIGNAL */
        wire signed [W-1:0] sat = rounded < RUN_MIN_W ? RUN_MIN_W
                                : (rounded > RUN_MAX_W ? RUN_MAX_W : rounded);
        wire signed [11:0] back = q7 - {OFFSET11[10], OFFSET11};
        wire signed [11:0] out = back < ACT_MIN12 ? ACT_MIN12
                               : (back > ACT_MAX12 ? ACT_MAX12 : back);
        /* verilator lint_on UNUSEDSIGNAL */

        always @(posedge clk) begin
            if (ce) begin
                a1 <= a_ext + OFFSET11;
                b1 <= b_ext + OFFSET11;
                pb2 <= b1 * B_MANT_W;
                a2 <= a1;
                x3 <= (pb2 <<< SH_B) + F_TERM;
                pa3 <= a2 * A_MANT_W;
                i4 <= r24(x3);
                pa4 <= pa3;
                x5 <= (pa4 <<< SH_A) + (i4 <<< SH_I);
                v6 <= r24(x5);
                q7 <= sat[11:0];
                y8 <= out[7:0];
            end
        end

        assign m_axis_tdata[p*8 +: 8] = y8;
    end
endgenerate

endmodule

`resetall
