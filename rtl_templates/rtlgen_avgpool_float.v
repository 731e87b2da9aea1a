/*

rtlgen: average pooling, ONNX Runtime's float32 QLinearAveragePool in integer logic

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * rtlgen_avgpool_float: average pooling bit-exact with ONNX Runtime's CPU QLinearAveragePool
 * (com.microsoft, also what a QDQ AveragePool is fused into; rtlgen::golden::
 * average_pool2d_onnxruntime, docs/onnx-runtime-arithmetic.md), for windows of K_H*K_W taps
 * all inside the image (count = K_H*K_W):
 *
 *   s = 0;  for each tap in (ky, kx) order:  s = f32(s + f32(x_scale * (x - IN_ZP)))
 *   y = clamp(rne(f32(f32(f32(s / count) / y_scale) + zp)) - offset, ACT_MIN, ACT_MAX)
 *
 * The sum is computed exactly with integers: with x_scale = IN_MANT * 2^e (IN_MANT the float32
 * significand with its hidden bit), every term is T = r24((x - IN_ZP) * IN_MANT) and every
 * partial sum S = r24(S + T), in units of 2^e, where r24 rounds an integer to its 24 leading
 * bits, half to even (float32 rounding; no subnormals or overflow for the generator's
 * 2^-100 <= x_scale <= 2^100). The rest is a non-decreasing function g of S alone, so it is
 * a search in a table of thresholds: y = ACT_MIN + #{k in 1..255 : S >= THR[k]}, with THR[k] the
 * smallest S for which ONNX Runtime's float steps give ACT_MIN + k or more (computed by the
 * generator from the very golden-model code, rtlgen::golden::onnxruntime_pool_thresholds).
 *
 * THRESH_FILE: $readmemh file of 256 words of SW + 1 bits (two's complement; word 0 unused),
 * SW = 33 + clog2(K_H*K_W + 1); a level never reached has a threshold above every sum.
 *
 * Input: rtlgen_swg ORDER 1 beats: per window and chunk of SIMD channels, K_H*K_W beats (one
 * tap each, in (ky, kx) order) of SIMD elements; s_axis_tlast = last beat of the window, passed
 * to m_axis_tlast. The module counts taps itself (no padding: s_axis_tuser is not needed).
 * Output: one beat of SIMD 8-bit elements per window chunk.
 *
 * Pipeline: tap difference, product, term rounding, running sum (one add and one float32
 * rounding: leading-sign detect, round half even at the variable bit, in the loop that takes a
 * tap per cycle), then 8 search stages (one threshold compare each; stage k looks up one of
 * 2^(k-1) constants); one shared clock enable (!m_axis_tvalid || m_axis_tready, which is also
 * s_axis_tready). Latency: 12 cycles from the last tap beat of a chunk to its output beat.
 * Throughput: one input beat per cycle.
 */
module rtlgen_avgpool_float #
(
    // Channels of the image (SIMD divides it)
    parameter CHANNELS = 8,
    // Elements per beat
    parameter SIMD = 4,
    // Window height
    parameter K_H = 2,
    // Window width (K_H*K_W <= 64)
    parameter K_W = 2,
    // 1 = int8 elements, 0 = uint8
    parameter IN_SIGNED = 1,
    // Input zero point (int8: -128..127, uint8: 0..255)
    parameter IN_ZP = 0,
    // Float32 significand of the input scale with its hidden bit (2^23 .. 2^24-1)
    parameter IN_MANT = 24'h800000,
    // Output for a sum below every threshold (the clamp's lower bound)
    parameter ACT_MIN = -128,
    // $readmemh file of the 256 thresholds (see above)
    parameter THRESH_FILE = ""
)
(
    input  wire                        clk,
    input  wire                        rst,

    input  wire [SIMD*8-1:0]           s_axis_tdata,
    input  wire                        s_axis_tvalid,
    output wire                        s_axis_tready,
    input  wire                        s_axis_tlast,

    output wire [SIMD*8-1:0]           m_axis_tdata,
    output wire                        m_axis_tvalid,
    input  wire                        m_axis_tready,
    output wire                        m_axis_tlast
);

localparam NT = K_H * K_W;
localparam TAPW = (NT > 1) ? $clog2(NT) : 1;
// |term| <= 2^32 (|x - IN_ZP| <= 255, IN_MANT < 2^24), |sum| <= NT * 2^32: signed SW bits
localparam SW = 33 + $clog2(NT + 1);
localparam TW = SW + 1;
localparam LEVELS = 8;  // binary search over 2^8 - 1 thresholds

/* verilator lint_off WIDTH */
localparam [TAPW-1:0] NT_LAST = NT - 1;
localparam signed [9:0] ZP10 = IN_ZP;
localparam signed [24:0] MANT25 = IN_MANT;
localparam [7:0] ACT_MIN8 = ACT_MIN;
/* verilator lint_on WIDTH */
localparam [SW-1:0] ONE = {{(SW-1){1'b0}}, 1'b1};

initial begin
`ifndef SYNTHESIS
    if (SIMD < 1 || CHANNELS % SIMD != 0) begin
        $error("%m: SIMD (%0d) must divide CHANNELS (%0d)", SIMD, CHANNELS);
        $finish;
    end
    if (K_H < 1 || K_W < 1 || NT > 64) begin
        $error("%m: K_H*K_W (%0d) must be 1..64", NT);
        $finish;
    end
    if (IN_MANT < (1 << 23) || IN_MANT >= (1 << 24)) begin
        $error("%m: IN_MANT (%0d) must be a float32 significand with its hidden bit", IN_MANT);
        $finish;
    end
    if (THRESH_FILE == "") begin
        $error("%m: THRESH_FILE is required");
        $finish;
    end
`endif
end

// Threshold table, shared by the lanes.
reg [TW-1:0] thr_rom [0:255];
initial begin
    if (THRESH_FILE != "") begin
        $readmemh(THRESH_FILE, thr_rom);
    end
end

// Float32 rounding of an integer: keep the 24 leading bits of |v|, half to even. Done on the
// two's complement value: the rounding position comes from the leading sign bits (for v < 0
// that is msb(|v| - 1), which differs from msb(|v|) only for |v| a power of two, a multiple of
// either unit), and rounding half to even is symmetric.
function [SW-1:0] r24;
    input [SW-1:0] v;
    reg   [SW-1:0] u, unit, low, half;
    integer i, d;
    begin
        u = v[SW-1] ? ~v : v;
        d = 0;
        for (i = 24; i < SW; i = i + 1) begin
            if (u[i]) d = i - 23;
        end
        unit = ONE << d;
        low = v & (unit - ONE);
        half = unit >> 1;
        if (d != 0 && (low > half || (low == half && (v & unit) != {SW{1'b0}})))
            r24 = (v & ~(unit - ONE)) + unit;
        else
            r24 = v & ~(unit - ONE);
    end
endfunction

reg  [TAPW-1:0] tap_reg = {TAPW{1'b0}};
// control per stage: 1 difference, 2 product, 3 term, then window stages 0 (sum) .. LEVELS
reg  v1_reg = 1'b0, v2_reg = 1'b0, v3_reg = 1'b0;
reg  first1_reg = 1'b0, first2_reg = 1'b0, first3_reg = 1'b0;
reg  last1_reg = 1'b0, last2_reg = 1'b0, last3_reg = 1'b0;
reg  tl1_reg = 1'b0, tl2_reg = 1'b0, tl3_reg = 1'b0;
reg  [LEVELS:0] wv_reg = {(LEVELS+1){1'b0}};
reg  [LEVELS:0] wl_reg = {(LEVELS+1){1'b0}};

wire en = !wv_reg[LEVELS] || m_axis_tready;
wire s_fire = s_axis_tvalid && en;
wire first_tap = (tap_reg == {TAPW{1'b0}});
wire last_tap = (NT == 1) || (tap_reg == NT_LAST);

assign s_axis_tready = en;

always @(posedge clk) begin
    if (s_fire) begin
        tap_reg <= last_tap ? {TAPW{1'b0}} : tap_reg + 1'b1;
    end
    if (en) begin
        v1_reg <= s_fire;
        first1_reg <= first_tap;
        last1_reg <= last_tap;
        tl1_reg <= s_axis_tlast;
        v2_reg <= v1_reg;
        first2_reg <= first1_reg;
        last2_reg <= last1_reg;
        tl2_reg <= tl1_reg;
        v3_reg <= v2_reg;
        first3_reg <= first2_reg;
        last3_reg <= last2_reg;
        tl3_reg <= tl2_reg;
        wv_reg <= {wv_reg[LEVELS-1:0], v3_reg && last3_reg};
        wl_reg <= {wl_reg[LEVELS-1:0], tl3_reg};
    end
    if (rst) begin
        tap_reg <= {TAPW{1'b0}};
        v1_reg <= 1'b0;
        v2_reg <= 1'b0;
        v3_reg <= 1'b0;
        wv_reg <= {(LEVELS+1){1'b0}};
    end
end

genvar l, k;
generate
    for (l = 0; l < SIMD; l = l + 1) begin : g_lane
        wire [7:0] x = s_axis_tdata[l*8 +: 8];
        wire signed [9:0] xv = {{2{IN_SIGNED != 0 && x[7]}}, x};
        reg  signed [9:0] d1_reg = 10'sd0;
        reg  signed [SW-1:0] p2_reg = {SW{1'b0}};
        reg  [SW-1:0] t3_reg = {SW{1'b0}};
        reg  [SW-1:0] acc_reg = {SW{1'b0}};
        wire [SW-1:0] acc_next = r24((first3_reg ? {SW{1'b0}} : acc_reg) + t3_reg);
        // search stage k (slice k-1) holds the window sum and the count of thresholds passed
        reg  [LEVELS*SW-1:0] s_pipe = {(LEVELS*SW){1'b0}};
        reg  [LEVELS*8-1:0] idx_pipe = {(LEVELS*8){1'b0}};
        wire [LEVELS*8-1:0] idx_next;
        reg  [7:0] m_data_reg = 8'd0;

        for (k = 1; k <= LEVELS; k = k + 1) begin : g_search
            wire [SW-1:0] s = s_pipe[(k-1)*SW +: SW];
            wire [7:0] idx = idx_pipe[(k-1)*8 +: 8];
            wire [7:0] cand = idx | (8'd1 << (LEVELS - k));
            wire [TW-1:0] thr = thr_rom[cand];
            wire ge = $signed({s[SW-1], s}) >= $signed(thr);
            assign idx_next[(k-1)*8 +: 8] = ge ? cand : idx;
        end

        always @(posedge clk) begin
            if (en) begin
                d1_reg <= xv - ZP10;
                p2_reg <= d1_reg * MANT25;
                t3_reg <= r24(p2_reg);
                if (v3_reg) begin
                    acc_reg <= acc_next;
                end
                s_pipe <= {s_pipe[(LEVELS-1)*SW-1:0], acc_next};
                idx_pipe <= {idx_next[(LEVELS-1)*8-1:0], 8'd0};
                m_data_reg <= ACT_MIN8 + idx_next[(LEVELS-1)*8 +: 8];
            end
        end

        assign m_axis_tdata[l*8 +: 8] = m_data_reg;
    end
endgenerate

assign m_axis_tvalid = wv_reg[LEVELS];
assign m_axis_tlast = wl_reg[LEVELS];

endmodule

`resetall
